/// `--inspect` as text for people and as JSON for programs: the same fields.
extension ModelInspection {
    /// The report as one JSON object (docs/EXPORT.md lists its fields).
    public var json: String { jsonValue.text(indent: 2) + "\n" }

    var jsonValue: JSON {
        func tensor(_ t: TensorSummary) -> JSON {
            .object([("name", .string(t.name)), ("shape", .array(t.shape.map { .int($0) })), ("dtype", .string(t.dtype))])
        }
        var members: [(String, JSON)] = [
            ("file", .string(path)), ("size_bytes", .int(fileSize)),
            ("metadata", .object(metadata.map { ($0.key.rawValue, Self.json($0.value)) })),
            ("inputs", .array(inputs.map(tensor))), ("outputs", .array(outputs.map(tensor))),
            ("parameters", .int(parameters)), ("parameter_bytes", .int(parameterBytes)),
            ("macs", .int(macs)), ("flops", .int(flops)),
            ("nodes", .array(nodes.map { node in
                .object([
                    ("index", .int(node.index)), ("op", .string(node.op)), ("version", .int(node.version)),
                    ("inputs", .array(node.inputs.map { $0.map { .string($0.name) } ?? .null })),
                    ("outputs", .array(node.outputs.map(tensor))),
                    ("attributes", .object(node.attributes.map { ($0.name, Self.json($0.value, name: $0.name)) })),
                    ("macs", .int(node.macs)),
                ])
            })),
        ]
        if let selfTest {
            members.append(("selftest", .object([
                ("inputs", .int(selfTest.inputs.count)), ("outputs", .int(selfTest.outputs.count)),
                ("rtol", .number(Double(selfTest.rtol))), ("atol", .number(Double(selfTest.atol))),
            ])))
        }
        if let runtimeCheck {
            var check: [(String, JSON)] = [("runtime", .string(runtimeCheck.runtime))]
            if let error = runtimeCheck.selfTestError {
                check += [("selftest_max_error", .number(error)), ("selftest_passed", .bool(error <= 1))]
            }
            members.append(("runtime_check", .object(check)))
        }
        return .object(members)
    }

    /// The report as aligned text.
    public var text: String {
        var lines: [String] = []
        lines.append("\(path): \(Self.grouped(fileSize)) bytes, \(nodes.count) nodes, \(Self.grouped(parameters)) parameters "
                     + "(\(Self.grouped(parameterBytes)) bytes), \(Self.grouped(macs)) MACs (\(Self.grouped(flops)) FLOPs) per example")
        if let runtimeCheck {
            let verdict = runtimeCheck.selfTestError.map { error in
                (error <= 1 ? "self-test passed" : "SELF-TEST FAILED") + formatted(" (largest error %.3g of the tolerance)", error)
            } ?? "no self-test vector"
            lines.append("runtime \(runtimeCheck.runtime): loaded and validated; \(verdict)")
        }
        lines.append("")
        lines.append("metadata (\(metadata.count) entries):")
        let keyWidth = metadata.map(\.key.rawValue.count).max() ?? 0
        for entry in metadata {
            let value = Self.text(entry.value)
            let valueLines = value.split(separator: "\n", omittingEmptySubsequences: false)
            lines.append("  " + Self.padded(entry.key.rawValue, keyWidth) + "  " + (valueLines.first.map(String.init) ?? ""))
            for line in valueLines.dropFirst() { lines.append("  " + String(repeating: " ", count: keyWidth) + "  " + line) }
        }
        lines.append("")
        for (title, tensors) in [("inputs", inputs), ("outputs", outputs)] {
            lines.append("\(title): " + tensors.map { "\($0.name) \(Self.shape($0.shape)) \($0.dtype)" }.joined(separator: ", "))
        }
        lines.append("")
        let opWidth = max(2, nodes.map(\.op.count).max() ?? 0)
        let nameWidth = max(6, nodes.flatMap { $0.outputs.map(\.name.count) }.max() ?? 0)
        let shapeWidth = max(5, nodes.flatMap { $0.outputs.map { Self.shape($0.shape).count } }.max() ?? 0)
        let macsWidth = max(4, nodes.map { Self.grouped($0.macs).count }.max() ?? 0)
        let indexWidth = String(max(nodes.count - 1, 0)).count
        lines.append(Self.padded("#", indexWidth, right: true) + "  " + Self.padded("op", opWidth) + "  "
                     + Self.padded("output", nameWidth) + "  " + Self.padded("shape", shapeWidth) + "  "
                     + Self.padded("MACs", macsWidth, right: true) + "  inputs; attributes")
        for node in nodes {
            let output = node.outputs.first
            let inputs = node.inputs.map { $0.map { $0.name + ($0.shape.count > 1 && node.inputs.first??.name != $0.name ? " \(Self.shape($0.shape))" : "") } ?? "-" }
            var detail = inputs.joined(separator: ", ")
            if !node.attributes.isEmpty {
                detail += "; " + node.attributes.map { "\($0.name) \(Self.text($0.value, name: $0.name))" }.joined(separator: " ")
            }
            lines.append(Self.padded(String(node.index), indexWidth, right: true) + "  " + Self.padded(node.op, opWidth) + "  "
                         + Self.padded(output?.name ?? "", nameWidth) + "  " + Self.padded(output.map { Self.shape($0.shape) } ?? "", shapeWidth)
                         + "  " + Self.padded(node.macs > 0 ? Self.grouped(node.macs) : "", macsWidth, right: true) + "  " + detail)
        }
        if let selfTest {
            lines.append("")
            lines.append("self-test: \(selfTest.inputs.count) input, \(selfTest.outputs.count) output, "
                         + "|got - want| <= \(selfTest.atol) + \(selfTest.rtol) * |want|")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    // MARK: - value formatting

    static func json(_ value: MetadataValue) -> JSON {
        switch value {
        case .i64(let v): return .int(Int(v))
        case .f64(let v): return .number(v)
        case .string(let v): return .string(v)
        case .i64Array(let v): return .array(v.map { .int(Int($0)) })
        case .f64Array(let v): return .array(v.map { .number($0) })
        case .stringArray(let v): return .array(v.map { .string($0) })
        }
    }

    /// An attribute as JSON: one value bare, several as an array; the fused activation by name.
    static func json(_ value: Attribute.Value, name: String) -> JSON {
        switch value {
        case .i64(let values) where name == "activation" && values.count == 1: return .string(activationName(values[0]))
        case .i64(let values): return values.count == 1 ? .int(Int(values[0])) : .array(values.map { .int(Int($0)) })
        case .f32(let values): return values.count == 1 ? .number(Double(values[0])) : .array(values.map { .number(Double($0)) })
        }
    }

    static func text(_ value: MetadataValue) -> String {
        switch value {
        case .i64(let v): return String(v)
        case .f64(let v): return "\(v)"
        case .string(let v): return v
        case .i64Array(let v): return "[" + v.map(String.init).joined(separator: ", ") + "]"
        case .f64Array(let v): return "[" + v.map { "\($0)" }.joined(separator: ", ") + "]"
        case .stringArray(let v):
            // Entries that are blank or control characters (a vocabulary's "\n", " ") shown escaped and quoted.
            let shown = v.prefix(12).map { entry in
                entry.isEmpty || entry.unicodeScalars.contains { $0.properties.isWhitespace || $0.value < 0x20 }
                    ? "\"" + entry.unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "\"" : entry
            }.joined(separator: ", ")
            return "[" + shown + (v.count > 12 ? ", ... (\(v.count))" : "") + "]"
        }
    }

    static func text(_ value: Attribute.Value, name: String) -> String {
        switch json(value, name: name) {
        case .string(let s): return s
        case .array(let values): return values.map { $0.text() }.joined(separator: ",")
        case let other: return other.text()
        }
    }

    static func shape(_ dims: [Int]) -> String { "[" + dims.map(String.init).joined(separator: ",") + "]" }

    /// 1234567 as "1,234,567".
    static func grouped(_ value: Int) -> String {
        let digits = String(value.magnitude)
        var out = ""
        for (i, c) in digits.enumerated() {
            if i > 0 && (digits.count - i) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }

    static func padded(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: max(0, width - text.count))
        return right ? fill + text : text + fill
    }
}
