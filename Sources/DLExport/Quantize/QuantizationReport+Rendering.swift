/// The report as people read it (`text`, printed by `dlexport --int8`) and
/// as programs do (`json`, `--json REPORT`), both from the same values.
extension QuantizationReport {
    public var text: String {
        var lines = ["int8 calibration: \(method), \(calibrationSamples) examples of \(calibrationSource); "
                        + "layers under " + formatted("%.1f", minimumSQNR) + " dB SQNR stay fp32; runtime ISA \(isa)"]
        let header = ["layer", "op", "precision", "SQNR alone", "SQNR in model", "range", "scale", "zp", "kernel"]
        var rows = [header]
        for layer in layers {
            let range = layer.range.map { formatted("[%.4g, %.4g]", Double($0.lowerBound), Double($0.upperBound)) } ?? "-"
            rows.append([layer.name, layer.op, layer.int8 ? "int8" : "fp32", Self.decibels(layer.isolatedSQNR),
                         Self.decibels(layer.modelSQNR), range,
                         layer.quantization.map { formatted("%.4g", Double($0.scale)) } ?? "-",
                         layer.quantization.map { "\($0.zeroPoint)" } ?? "-", layer.kernel])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        for row in rows {
            lines.append(row.enumerated().map { $1.padding(toLength: widths[$0]) }.joined(separator: "  "))
        }
        let fp32Layers = layers.filter { !$0.int8 }
        if !fp32Layers.isEmpty {
            lines.append("fp32 layers:")
            lines += fp32Layers.map { "  \($0.name): \($0.reason ?? "")" }
        }
        if let fp32Accuracy, let int8Accuracy, let top1Agreement {
            lines.append("\(int8Layers) of \(layers.count) layers int8; on \(evaluationSamples) test examples: "
                            + formatted("fp32 %.2f%%, int8 %.2f%% accuracy, top-1 agreement %.2f%%, output SQNR ",
                                        fp32Accuracy * 100, int8Accuracy * 100, top1Agreement * 100)
                            + Self.decibels(outputSQNR))
        } else {
            lines.append("\(int8Layers) of \(layers.count) layers int8; on \(evaluationSamples) held-out latents: output SQNR "
                            + Self.decibels(outputSQNR))
        }
        lines.append("self-test: int8 output " + Self.decibels(selfTestSQNR) + " from fp32 (SQNR), stored as the self-test")
        return lines.joined(separator: "\n") + "\n"
    }

    public var json: JSON {
        .object([
            ("method", .string(method.description)),
            ("calibration_samples", .int(calibrationSamples)),
            ("calibration_source", .string(calibrationSource)),
            ("min_sqnr_db", .number(minimumSQNR)),
            ("isa", .string(isa)),
            ("layers", .array(layers.map { layer in
                .object([
                    ("name", .string(layer.name)),
                    ("op", .string(layer.op)),
                    ("precision", .string(layer.int8 ? "int8" : "fp32")),
                    ("reason", layer.reason.map { .string($0) } ?? .null),
                    ("sqnr_isolated_db", layer.isolatedSQNR.map { .number($0) } ?? .null),
                    ("sqnr_in_model_db", layer.modelSQNR.map { .number($0) } ?? .null),
                    ("range", layer.range.map { .array([.number(Double($0.lowerBound)), .number(Double($0.upperBound))]) } ?? .null),
                    ("scale", layer.quantization.map { .number(Double($0.scale)) } ?? .null),
                    ("zero_point", layer.quantization.map { .int(Int($0.zeroPoint)) } ?? .null),
                    ("kernel", .string(layer.kernel)),
                ])
            })),
            ("int8_layers", .int(int8Layers)),
            ("evaluation_samples", .int(evaluationSamples)),
            ("fp32_test_accuracy", fp32Accuracy.map { .number($0) } ?? .null),
            ("test_accuracy", int8Accuracy.map { .number($0) } ?? .null),
            ("top1_agreement", top1Agreement.map { .number($0) } ?? .null),
            ("output_sqnr_db", .number(outputSQNR)),
            ("selftest_sqnr_db", .number(selfTestSQNR)),
        ])
    }

    /// "31.2 dB", "inf dB" (no error at all), "-" (not measured).
    static func decibels(_ value: Double?) -> String {
        guard let value else { return "-" }
        return value.isFinite ? formatted("%.1f dB", value) : (value > 0 ? "exact" : "-inf dB")
    }
}

private extension String {
    func padding(toLength length: Int) -> String {
        count >= length ? self : self + String(repeating: " ", count: length - count)
    }
}
