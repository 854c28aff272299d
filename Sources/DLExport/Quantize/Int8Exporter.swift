import DeepLearning
import DLRuntime
import DLSupport

/// A verified int8 runtime model, as `Int8Exporter` returns it.
public struct QuantizedModel: Sendable {
    public let file: ModelFile
    public let bytes: [UInt8]
    public let report: QuantizationReport
    /// The fp32 export it was made from (nil when quantizing a given graph).
    public let fp32Summary: ExportSummary?

    /// Writes `bytes` atomically: on failure nothing is left at `path`.
    public func write(to path: String) throws {
        try AtomicFile.write(bytes, to: path)
    }
}

/// Post-training int8 quantization of an exported model (`dlexport --int8`):
///
/// 1. the checkpoint is exported and verified in fp32 (`ModelExporter`);
/// 2. calibration runs that model in the C runtime over training examples
///    and chooses each activation's range (`ActivationCalibrator`);
/// 3. the layers that can run int8 are chosen (`Int8LayerPlan`), measuring
///    each one's own int8 error in one run of an fp32 graph with int8 twins;
/// 4. the graph is rewritten (`Int8GraphRewriter`), measured layer by layer
///    against fp32 and evaluated on held-out test examples;
/// 5. its self-test is its own output on the fp32 self-test input, after
///    checking that output against fp32; the file is written only if the
///    runtime then reproduces it and passes the self-test.
public enum Int8Exporter {
    /// Reads the checkpoint, quantizes with examples from `dataPath` (a
    /// generator: nil, and latents of its input distribution), writes
    /// `outputPath` atomically.
    @discardableResult
    public static func export(checkpointAt checkpointPath: String, to outputPath: String, calibrationData dataPath: String?,
                              samples: Int = CalibrationData.defaultSampleCount, evaluationSamples: Int? = nil,
                              options: ExportOptions = ExportOptions(),
                              quantization: QuantizationOptions = QuantizationOptions()) throws -> QuantizedModel {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.read(from: checkpointPath)
        } catch {
            throw ExportError.checkpoint("cannot read the checkpoint '\(checkpointPath)': \(error)")
        }
        let fp32 = try ModelExporter.export(checkpoint, options: options)
        let data: CalibrationData
        if GeneratorExporter.exports(checkpoint) {
            guard dataPath == nil else {
                throw ExportError.invalidArgument("a generator calibrates on latent vectors drawn from its N(0, 1) input "
                                                      + "(--samples N of them), not on --calibrate data")
            }
            let size = fp32.summary.inputShape.reduce(1, *)
            let classes = checkpoint.architecture.conditionalClassNames.count
            data = try CalibrationData.latents(size: size, samples: samples, evaluationSamples: evaluationSamples,
                                               code: classes > 0 ? LatentClassCode(classes: classes, latentSize: size) : nil)
        } else {
            guard let dataPath else { throw ExportError.invalidArgument("int8 export of a classifier needs --calibrate DATA") }
            let contract = try ModelExporter.inputContract(of: checkpoint, inputShape: fp32.summary.inputShape)
            data = try CalibrationData.load(dataPath, contract: contract, inputShape: fp32.summary.inputShape,
                                            classes: fp32.summary.classes, samples: samples,
                                            evaluationSamples: evaluationSamples)
        }
        let quantized = try quantize(fp32.file, data: data, options: quantization, fp32Summary: fp32.summary)
        try quantized.write(to: outputPath)
        return quantized
    }

    /// Quantizes a verified fp32 model (one input, one output; its self-test
    /// input, else the first calibration example, becomes the int8 self-test input).
    public static func quantize(_ fp32: ModelFile, data: CalibrationData, options: QuantizationOptions = QuantizationOptions(),
                                fp32Summary: ExportSummary? = nil) throws -> QuantizedModel {
        guard fp32.inputs.count == 1, fp32.outputs.count == 1 else {
            throw ExportError.invalidArgument("int8 export takes a model with one input and one output")
        }
        try checkExamples(data, fit: fp32)
        try checkWeights(fp32)
        let fp32Bytes = try fp32.serialize()

        let calibrator = ActivationCalibrator(file: fp32, bytes: fp32Bytes)
        let statistics = try calibrator.observe(data.calibration, method: options.method)
        let (ranges, quantizations) = calibrator.quantizations(statistics, method: options.method)

        let isa = options.isa ?? Runtime.isa
        let kernels = Int8KernelName(isa: isa, hasVNNI: isa == Runtime.isa ? Int8KernelName.current.hasVNNI : isa == "avx512")
        var plan = try Int8LayerPlan(fp32, quantizations: quantizations, options: options, isa: kernels.int8ISA)
        let twins = try Int8GraphRewriter.isolated(fp32, activations: quantizations, candidates: plan.int8)
        let isolated = try Int8Measurements.isolated(twins.file, source: fp32, twins: twins.twins, samples: data.calibration)
        plan.dropLowSQNR(isolated, minimum: options.minimumSQNR)
        plan.dropFP32Fed(fp32)
        guard !plan.int8.isEmpty else {
            let reasons = fp32.nodes.indices.map { "\(name(of: $0, in: fp32)): \(plan.reasons[$0] ?? "?")" }
            throw ExportError.invalidArgument("no layer can run in int8 (\(reasons.joined(separator: "; ")))")
        }
        var int8 = try Int8GraphRewriter.quantized(fp32, activations: quantizations, int8Nodes: plan.int8)

        let inModel = try Int8Measurements.inModel(fp32: fp32, int8: int8, samples: data.calibration)
        let evaluation = try Int8Measurements.evaluate(fp32: fp32Bytes, int8: try int8.serialize(), examples: data.evaluation)

        // The self-test: the int8 model's own output, checked against fp32 first.
        let input = fp32.selfTest?.inputs.first?.values ?? data.calibration[0]
        let fp32Output = try Parity.runtimeOutput(of: fp32Bytes, input: input)
        let int8Output = try KeptTensors(try int8.serialize()).run(input)
        var selfTestNoise = SignalToQuantizationNoise()
        selfTestNoise.add(reference: fp32Output, quantized: int8Output)
        guard selfTestNoise.decibels >= options.minimumSelfTestSQNR else {
            throw ExportError.verification(formatted(
                "the int8 model's output on the self-test input is %.1f dB from fp32 (SQNR), under %.1f dB",
                selfTestNoise.decibels, options.minimumSelfTestSQNR))
        }

        let layers = fp32.nodes.enumerated().map { index, node -> QuantizationReport.Layer in
            let output = node.outputs[0].index, isInt8 = plan.int8.contains(index)
            return QuantizationReport.Layer(
                name: fp32.tensors[output].name, op: node.op.name, int8: isInt8,
                reason: isInt8 ? (plan.forced.contains(index) ? "forced" : nil) : plan.reasons[index],
                isolatedSQNR: isolated[index], modelSQNR: isInt8 ? inModel[fp32.tensors[output].name] : nil,
                range: ranges[output], quantization: isInt8 ? quantizations[output] : nil,
                kernel: kernels.name(of: node, in: fp32, int8: isInt8))
        }
        let report = QuantizationReport(
            method: options.method, calibrationSamples: data.calibration.count, calibrationSource: data.source,
            minimumSQNR: options.minimumSQNR, isa: kernels.isa + (kernels.hasVNNI ? " (VNNI)" : ""), layers: layers,
            evaluationSamples: data.evaluation.count, fp32Accuracy: evaluation.fp32Accuracy,
            int8Accuracy: evaluation.int8Accuracy, top1Agreement: evaluation.top1Agreement,
            outputSQNR: evaluation.outputSQNR, selfTestSQNR: selfTestNoise.decibels)

        var builder = GraphBuilder(int8)
        for (key, value) in metadata(report) { builder.setMetadata(value, for: key) }
        if case .string(let text)? = builder.metadata(for: .modelDescription) {
            builder.setMetadata(.string(text + "; int8 (\(report.int8Layers) of \(layers.count) layers)"), for: .modelDescription)
        }
        let scale = Double(int8Output.map { abs($0) }.max() ?? 0)
        try builder.selfTest(inputs: [(builder.inputs[0], input)], outputs: [(builder.outputs[0], int8Output)],
                             rtol: 1e-4, atol: Float(options.selfTestTolerance * scale))
        int8 = builder.modelFile
        let bytes = try builder.serialize()
        try verify(bytes, input: input, expected: int8Output)
        return QuantizedModel(file: int8, bytes: bytes, report: report, fp32Summary: fp32Summary)
    }

    // MARK: - checks

    /// Every example must have the input's element count.
    static func checkExamples(_ data: CalibrationData, fit file: ModelFile) throws {
        guard !data.calibration.isEmpty else {
            throw ExportError.invalidArgument("the calibration data is empty: int8 ranges need at least one example")
        }
        let input = file.tensors[file.inputs[0].index]
        let inputs = data.calibration.map(\.count) + data.evaluation.map(\.input.count)
        if let wrong = inputs.first(where: { $0 != input.elementCount }) {
            throw ExportError.shape("a calibration example has \(wrong) values, but the model input '\(input.name)' "
                                        + "\(input.shape) takes \(input.elementCount)")
        }
    }

    /// No weight may be NaN or infinite: such a model has no meaningful int8 form.
    static func checkWeights(_ file: ModelFile) throws {
        for tensor in file.tensors where tensor.dtype == .f32 {
            guard let data = tensor.data else { continue }
            let values = GraphBuilder.floats(littleEndian: data)
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw ExportError.invalidArgument("weight '\(tensor.name)' holds \(values[bad]) at element \(bad); "
                                                      + "a model with NaN or infinite weights cannot be quantized")
            }
        }
    }

    /// The written bytes in a fresh runtime model must give the output the
    /// measurements saw (same runtime, same ISA: exactly) and pass their self-test.
    static func verify(_ bytes: [UInt8], input: [Float], expected: [Float]) throws {
        do {
            let model = try Model(bytes: bytes)
            let got = try Parity.runtimeOutput(of: model, input: input)
            guard got == expected else {
                throw ExportError.verification("the written int8 model's output differs from the measured one by "
                                                   + "\(Parity.relativeError(got, expected)) (relative)")
            }
            try model.selfTest()
        } catch let error as ExportError {
            throw error
        } catch {
            throw ExportError.verification("the C runtime refused the int8 model: \(error)")
        }
    }

    static func metadata(_ report: QuantizationReport) -> [(MetadataKey, MetadataValue)] {
        var entries: [(MetadataKey, MetadataValue)] = [
            (.quantizationMethod, .string(report.method.description)),
            (.quantizationSamples, .i64(Int64(report.calibrationSamples)))]
        if let int8 = report.int8Accuracy, let fp32 = report.fp32Accuracy, let agreement = report.top1Agreement {
            entries += [(.quantizationTestAccuracy, .f64(int8)), (.quantizationFP32TestAccuracy, .f64(fp32)),
                        (.quantizationTop1Agreement, .f64(agreement))]
        } else {
            entries.append((.quantizationOutputSQNR, .f64(report.outputSQNR)))
        }
        return entries + [(.quantizationEvaluationSamples, .i64(Int64(report.evaluationSamples))),
                          (.quantizationFP32Layers, .stringArray(report.layers.filter { !$0.int8 }.map(\.name)))]
    }

    static func name(of node: Int, in file: ModelFile) -> String { file.tensors[file.nodes[node].outputs[0].index].name }
}
