// dlrt-golden: converts a model in the golden interchange format (MODEL.json
// plus the sibling MODEL.bin, as written by tools/golden/make_golden.py) into
// a .dlrt file, through GraphBuilder's typed helpers so that every shape is
// inferred and checked. See tools/golden/README.md for the format.
//
//   dlrt-golden MODEL.json OUT.dlrt [--rtol R] [--atol A]

import DLExport
import Foundation

let usage = """
    usage: dlrt-golden MODEL.json OUT.dlrt [--rtol R] [--atol A]
           dlrt-golden --quantize IN.dlrt CALIB.f32 OUT.dlrt

    Reads MODEL.json and the float32 array in the sibling MODEL.bin, builds the
    graph with DLExport's GraphBuilder and writes OUT.dlrt atomically. The
    self-test vector, when the JSON has one, is embedded with tolerance
    |got - want| <= atol + rtol * |want| (defaults: rtol 1e-4, atol 1e-5).

    --quantize: quantizes IN.dlrt to int8 with dlexport's quantizer, calibrated
    on the float32 inputs in CALIB.f32 (whole inputs one after another; the
    first 64 are also the unlabelled evaluation set), for tools/bench/int8_vs_ort.py.
    """

/// Any problem with the arguments or the input files: printed, exit status 1.
struct ConversionError: Error, CustomStringConvertible {
    let description: String
    init(_ message: String) { description = message }
}

// MARK: - JSON

/// A parsed JSON value. Decoded through Codable so that integers, floats,
/// booleans and null stay distinct on every platform.
enum JSON: Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSON])
    case object([String: JSON])

    init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSON].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSON].self))
        }
    }

    var kind: String {
        switch self {
        case .null: return "null"
        case .bool: return "a boolean"
        case .number: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }
}

/// Typed access to a JSON value, with errors that say where in the file.
struct Value {
    let json: JSON
    let path: String

    func object(allowed: Set<String>) throws -> [String: Value] {
        guard case .object(let members) = json else { throw ConversionError("\(path) must be an object, is \(json.kind)") }
        if let unknown = members.keys.sorted().first(where: { !allowed.contains($0) }) {
            throw ConversionError("\(path) has an unknown key '\(unknown)' (allowed: \(allowed.sorted().joined(separator: ", ")))")
        }
        var fields: [String: Value] = [:]
        for (key, value) in members { fields[key] = Value(json: value, path: "\(path).\(key)") }
        return fields
    }

    func array() throws -> [Value] {
        guard case .array(let items) = json else { throw ConversionError("\(path) must be an array, is \(json.kind)") }
        return items.enumerated().map { Value(json: $0.element, path: "\(path)[\($0.offset)]") }
    }

    func string() throws -> String {
        guard case .string(let text) = json else { throw ConversionError("\(path) must be a string, is \(json.kind)") }
        return text
    }

    var isNull: Bool { if case .null = json { return true } else { return false } }

    func double() throws -> Double {
        guard case .number(let number) = json else { throw ConversionError("\(path) must be a number, is \(json.kind)") }
        return number
    }

    func float() throws -> Float {
        let number = try double()
        let value = Float(number)
        guard value.isFinite else { throw ConversionError("\(path): \(number) is not a finite float32") }
        return value
    }

    func int() throws -> Int {
        let number = try double()
        guard number.rounded() == number, abs(number) < 9.0e15 else {
            throw ConversionError("\(path) must be an integer, is \(number)")
        }
        return Int(number)
    }

    func ints(count: Int? = nil) throws -> [Int] {
        let values = try array().map { try $0.int() }
        if let count, values.count != count {
            throw ConversionError("\(path) must hold \(count) integers, holds \(values.count)")
        }
        return values
    }
}

extension Optional where Wrapped == Value {
    func required(_ what: String) throws -> Value {
        guard let value = self else { throw ConversionError("missing \(what)") }
        return value
    }
}

// MARK: - conversion

struct Converter {
    let floats: [Float]
    let binPath: String
    var builder = GraphBuilder()
    /// Interchange name -> tensor: graph inputs, constants, node outputs.
    var tensors: [String: TensorID] = [:]

    /// floats[offset ..< offset + count], or an error naming `what`.
    func slice(offset: Int, count: Int, _ what: String) throws -> [Float] {
        guard offset >= 0, count >= 0, offset <= floats.count, count <= floats.count - offset else {
            throw ConversionError(
                "\(what): floats \(offset) ..< \(offset + count) lie outside \(binPath) (\(floats.count) floats)")
        }
        return Array(floats[offset..<(offset + count)])
    }

    func shape(_ value: Value) throws -> [Int] {
        let dims = try value.ints()
        guard !dims.isEmpty, dims.allSatisfy({ $0 >= 1 }) else {
            throw ConversionError("\(value.path) must be a non-empty list of dimensions >= 1, is \(dims)")
        }
        return dims
    }

    mutating func register(_ name: String, _ id: TensorID, _ path: String) throws {
        guard tensors[name] == nil else { throw ConversionError("\(path): a tensor named '\(name)' already exists") }
        tensors[name] = id
    }

    func tensor(_ name: String, _ path: String) throws -> TensorID {
        guard let id = tensors[name] else {
            throw ConversionError("\(path): no tensor named '\(name)' (not an input, a constant or an earlier node's output)")
        }
        return id
    }

    mutating func convert(_ root: Value, rtol: Float, atol: Float) throws {
        let top = try root.object(allowed: ["name", "inputs", "outputs", "constants", "nodes", "selftest", "metadata"])
        for input in try top["inputs"].required("\"inputs\"").array() {
            let fields = try input.object(allowed: ["name", "shape"])
            let name = try fields["name"].required("\(input.path).name").string()
            let id = try builder.input(name: name, shape: try shape(fields["shape"].required("\(input.path).shape")))
            try register(name, id, input.path)
        }
        for constant in try top["constants"]?.array() ?? [] {
            let fields = try constant.object(allowed: ["name", "shape", "offset"])
            let name = try fields["name"].required("\(constant.path).name").string()
            let dims = try shape(fields["shape"].required("\(constant.path).shape"))
            let offset = try fields["offset"].required("\(constant.path).offset").int()
            let values = try slice(offset: offset, count: dims.reduce(1, *), "constant '\(name)'")
            try register(name, try builder.constant(name: name, shape: dims, values: values), constant.path)
        }
        for node in try top["nodes"].required("\"nodes\"").array() {
            try convertNode(node)
        }
        let outputs = try top["outputs"].required("\"outputs\"").array()
        guard !outputs.isEmpty else { throw ConversionError("\"outputs\" must name at least one tensor") }
        for output in outputs {
            try builder.output(try tensor(try output.string(), output.path))
        }
        if let selftest = top["selftest"] {
            let fields = try selftest.object(allowed: ["inputs", "outputs"])
            let ins = try vectors(try fields["inputs"].required("selftest.inputs"))
            let outs = try vectors(try fields["outputs"].required("selftest.outputs"))
            try builder.selfTest(inputs: ins, outputs: outs, rtol: rtol, atol: atol)
        }
        var metadata: [String: String] = [:]
        if let entries = top["metadata"] {
            guard case .object(let members) = entries.json else {
                throw ConversionError("\"metadata\" must be an object of strings")
            }
            for key in members.keys {
                metadata[key] = try Value(json: members[key]!, path: "metadata.\(key)").string()
            }
        }
        if metadata["model.name"] == nil, let name = top["name"] { metadata["model.name"] = try name.string() }
        for key in metadata.keys.sorted() {  // sorted: the same JSON always gives the same bytes
            builder.setMetadata(.string(metadata[key]!), for: MetadataKey(key))
        }
    }

    /// Self-test entries: [{"name", "offset", "count"}].
    func vectors(_ list: Value) throws -> [(TensorID, [Float])] {
        try list.array().map { entry in
            let fields = try entry.object(allowed: ["name", "offset", "count"])
            let name = try fields["name"].required("\(entry.path).name").string()
            let offset = try fields["offset"].required("\(entry.path).offset").int()
            let count = try fields["count"].required("\(entry.path).count").int()
            return (try tensor(name, entry.path), try slice(offset: offset, count: count, "self-test '\(name)'"))
        }
    }

    mutating func convertNode(_ node: Value) throws {
        let fields = try node.object(allowed: ["op", "inputs", "output", "attrs"])
        let op = try fields["op"].required("\(node.path).op").string()
        let output = try fields["output"].required("\(node.path).output").string()
        let where_ = "\(node.path) (\(op) '\(output)')"
        let inputNames: [String?] = try fields["inputs"].required("\(node.path).inputs").array().map {
            $0.isNull ? nil : try $0.string()
        }
        var attrs = Attributes(
            values: try fields["attrs"].map { try $0.object(allowed: Attributes.known) } ?? [:], node: where_)

        /// Input `index`: required unless `optional`; nil only when optional and null/absent.
        func input(_ index: Int, optional: Bool = false) throws -> TensorID? {
            guard index < inputNames.count, let name = inputNames[index] else {
                if optional { return nil }
                throw ConversionError("\(where_): input \(index) is required")
            }
            return try tensor(name, where_)
        }
        func arity(_ range: ClosedRange<Int>) throws {
            guard range.contains(inputNames.count) else {
                throw ConversionError("\(where_): takes \(range.lowerBound)...\(range.upperBound) inputs, has \(inputNames.count)")
            }
            let optionalIndex = ["conv2d", "conv_transpose2d", "dense"].contains(op) ? 2 : -1
            if let absent = inputNames.indices.first(where: { inputNames[$0] == nil && $0 != optionalIndex }) {
                throw ConversionError("\(where_): input \(absent) must not be null (only a bias is optional)")
            }
        }

        let y: TensorID
        switch op {
        case "conv2d":
            try arity(2...3)
            let (stride, padding, dilation, groups) = try (attrs.pair("strides"), attrs.pads(), attrs.pair("dilations"),
                                                           attrs.int("groups", 1))
            y = try builder.conv2d(try input(0)!, weight: try input(1)!, bias: try input(2, optional: true),
                                   stride: stride, padding: padding, dilation: dilation, groups: groups,
                                   activation: try attrs.activation(), name: output)
        case "conv_transpose2d":
            try arity(2...3)
            let (stride, padding, dilation, groups) = try (attrs.pair("strides"), attrs.pads(), attrs.pair("dilations"),
                                                           attrs.int("groups", 1))
            y = try builder.convTranspose2d(try input(0)!, weight: try input(1)!, bias: try input(2, optional: true),
                                            stride: stride, padding: padding,
                                            outputPadding: try attrs.pair("output_padding", default: (0, 0)),
                                            dilation: dilation, groups: groups, activation: try attrs.activation(),
                                            name: output)
        case "dense":
            try arity(2...3)
            y = try builder.dense(try input(0)!, weight: try input(1)!, bias: try input(2, optional: true),
                                  activation: try attrs.activation(), name: output)
        case "max_pool2d", "avg_pool2d":
            try arity(1...1)
            let kernel = try attrs.requiredPair("kernel")
            let stride = try attrs.pair("strides", default: kernel)
            let padding = try attrs.pads()
            let ceil = try attrs.flag("ceil_mode", false)
            if op == "max_pool2d" {
                y = try builder.maxPool2d(try input(0)!, kernel: kernel, stride: stride, padding: padding,
                                          ceilMode: ceil, name: output)
            } else {
                y = try builder.avgPool2d(try input(0)!, kernel: kernel, stride: stride, padding: padding,
                                          ceilMode: ceil, countIncludePad: try attrs.flag("count_include_pad", true),
                                          name: output)
            }
        case "global_avg_pool":
            try arity(1...1)
            y = try builder.globalAvgPool(try input(0)!, name: output)
        case "relu":
            try arity(1...1)
            y = try builder.relu(try input(0)!, name: output)
        case "leaky_relu":
            try arity(1...1)
            y = try builder.leakyRelu(try input(0)!, alpha: try attrs.float("alpha", 0.01), name: output)
        case "sigmoid":
            try arity(1...1)
            y = try builder.sigmoid(try input(0)!, name: output)
        case "tanh":
            try arity(1...1)
            y = try builder.tanh(try input(0)!, name: output)
        case "softmax":
            try arity(1...1)
            y = try builder.softmax(try input(0)!, axis: try attrs.int("axis", -1), name: output)
        case "batch_norm":
            try arity(5...5)
            y = try builder.batchNorm(try input(0)!, scale: try input(1)!, bias: try input(2)!, mean: try input(3)!,
                                      variance: try input(4)!, epsilon: try attrs.float("epsilon", 1e-5), name: output)
        case "lrn":
            try arity(1...1)
            y = try builder.lrn(try input(0)!, size: try attrs.requiredInt("size"), alpha: try attrs.float("alpha", 1e-4),
                                beta: try attrs.float("beta", 0.75), k: try attrs.float("lrn_k", 1), name: output)
        case "add":
            try arity(2...2)
            y = try builder.add(try input(0)!, try input(1)!, activation: try attrs.activation(), name: output)
        case "concat":
            try arity(1...64)
            y = try builder.concat(try inputNames.indices.map { try input($0)! }, axis: try attrs.int("axis", 1),
                                   name: output)
        case "reshape":
            try arity(1...1)
            y = try builder.reshape(try input(0)!, shape: try attrs.requiredInts("shape"), name: output)
        case "flatten":
            try arity(1...1)
            y = try builder.flatten(try input(0)!, axis: try attrs.int("axis", 1), name: output)
        case "pad":
            try arity(1...1)
            y = try builder.pad(try input(0)!, pads: try attrs.requiredInts("pads", count: 8),
                                value: try attrs.float("value", 0), name: output)
        default:
            throw ConversionError("\(where_): unknown op '\(op)'")
        }
        try attrs.finish(op: op)
        try register(output, y, where_)
    }
}

/// A node's "attrs", read once each; `finish` refuses any the op does not take.
struct Attributes {
    static let known: Set<String> = [
        "strides", "pads", "dilations", "groups", "activation", "alpha", "beta", "lrn_k", "size", "kernel",
        "ceil_mode", "count_include_pad", "axis", "epsilon", "shape", "output_padding", "value",
    ]
    let values: [String: Value]
    let node: String
    private var used: Set<String> = []

    init(values: [String: Value], node: String) {
        self.values = values
        self.node = node
    }

    private mutating func take(_ key: String) -> Value? {
        used.insert(key)
        return values[key]
    }

    mutating func int(_ key: String, _ fallback: Int) throws -> Int { try take(key)?.int() ?? fallback }

    mutating func requiredInt(_ key: String) throws -> Int {
        try take(key).required("\(node): attribute '\(key)'").int()
    }

    mutating func requiredInts(_ key: String, count: Int? = nil) throws -> [Int] {
        try take(key).required("\(node): attribute '\(key)'").ints(count: count)
    }

    mutating func float(_ key: String, _ fallback: Float) throws -> Float { try take(key)?.float() ?? fallback }

    mutating func flag(_ key: String, _ fallback: Bool) throws -> Bool {
        guard let value = take(key) else { return fallback }
        let number = try value.int()
        guard number == 0 || number == 1 else { throw ConversionError("\(value.path) must be 0 or 1, is \(number)") }
        return number == 1
    }

    mutating func pair(_ key: String, default fallback: Size2D = (1, 1)) throws -> Size2D {
        guard let value = take(key) else { return fallback }
        let v = try value.ints(count: 2)
        return (v[0], v[1])
    }

    mutating func requiredPair(_ key: String) throws -> Size2D {
        let v = try take(key).required("\(node): attribute '\(key)'").ints(count: 2)
        return (v[0], v[1])
    }

    /// Conv/pool padding, (top, left, bottom, right).
    mutating func pads() throws -> Padding2D {
        guard let value = take("pads") else { return (0, 0, 0, 0) }
        let v = try value.ints(count: 4)
        return (v[0], v[1], v[2], v[3])
    }

    /// The fused activation: "activation" (format codes 0...5) and, for leaky relu, "alpha".
    mutating func activation() throws -> Activation {
        let code = try int("activation", 0)
        let alpha = try float("alpha", 0.01)
        switch code {
        case 0: return .none
        case 1: return .relu
        case 2: return .leakyRelu(alpha: alpha)
        case 3: return .sigmoid
        case 4: return .tanh
        case 5: return .relu6
        default: throw ConversionError("\(node): activation \(code) is not one of 0...5")
        }
    }

    func finish(op: String) throws {
        if let extra = values.keys.sorted().first(where: { !used.contains($0) }) {
            throw ConversionError("\(node): \(op) takes no attribute '\(extra)'")
        }
    }
}

// MARK: - main

func readFloats(_ path: String) throws -> [Float] {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ConversionError("cannot read '\(path)' (the float32 data next to the JSON)")
    }
    guard data.count % 4 == 0 else {
        throw ConversionError("'\(path)' is \(data.count) bytes, not a whole number of float32 values")
    }
    var floats = [Float](repeating: 0, count: data.count / 4)
    data.withUnsafeBytes { raw in
        for index in floats.indices {
            floats[index] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: 4 * index, as: UInt32.self)))
        }
    }
    return floats
}

func run(_ arguments: [String]) throws {
    var positional: [String] = []
    var rtol: Float = 1e-4
    var atol: Float = 1e-5
    var index = 0
    func tolerance(_ flag: String, _ text: String?) throws -> Float {
        guard let text, let value = Float(text), value.isFinite, value >= 0 else {
            throw ConversionError("\(flag) needs a finite number >= 0, got \(text.map { "'\($0)'" } ?? "nothing")")
        }
        return value
    }
    while index < arguments.count {
        let argument = arguments[index]
        index += 1
        switch argument {
        case "-h", "--help":
            print(usage)
            exit(0)
        case "--rtol", "--atol":
            let value = try tolerance(argument, index < arguments.count ? arguments[index] : nil)
            index += 1
            if argument == "--rtol" { rtol = value } else { atol = value }
        default:
            if argument.hasPrefix("--rtol=") {
                rtol = try tolerance("--rtol", String(argument.dropFirst(7)))
            } else if argument.hasPrefix("--atol=") {
                atol = try tolerance("--atol", String(argument.dropFirst(7)))
            } else if argument.hasPrefix("-") && argument != "-" {
                throw ConversionError("unknown option '\(argument)'\n\(usage)")
            } else {
                positional.append(argument)
            }
        }
    }
    guard positional.count == 2 else {
        throw ConversionError("expected MODEL.json and OUT.dlrt, got \(positional.count) argument(s)\n\(usage)")
    }
    let (jsonPath, outPath) = (positional[0], positional[1])
    let binPath = (jsonPath.hasSuffix(".json") ? String(jsonPath.dropLast(5)) : jsonPath) + ".bin"

    guard let data = FileManager.default.contents(atPath: jsonPath) else {
        throw ConversionError("cannot read '\(jsonPath)'")
    }
    let root: JSON
    do {
        root = try JSONDecoder().decode(JSON.self, from: data)
    } catch {
        throw ConversionError("'\(jsonPath)' is not valid JSON: \(error)")
    }
    var converter = Converter(floats: try readFloats(binPath), binPath: binPath)
    do {
        try converter.convert(Value(json: root, path: "model"), rtol: rtol, atol: atol)
        try converter.builder.write(to: outPath)
    } catch let error as ExportError {
        throw ConversionError("\(jsonPath): \(error)")
    } catch let error as ConversionError {
        throw ConversionError("\(jsonPath): \(error)")
    }
}

/// `--quantize IN.dlrt CALIB.f32 OUT.dlrt`: the benchmark's PyTorch models have no
/// checkpoint for `dlexport --int8`, so their converted files go through the same
/// `Int8Exporter.quantize` here, with calibration inputs the benchmark wrote.
func quantize(_ arguments: [String]) throws {
    guard arguments.count == 3 else {
        throw ConversionError("--quantize takes IN.dlrt CALIB.f32 OUT.dlrt, got \(arguments.count) argument(s)\n\(usage)")
    }
    let (inPath, calibrationPath, outPath) = (arguments[0], arguments[1], arguments[2])
    guard let bytes = FileManager.default.contents(atPath: inPath) else { throw ConversionError("cannot read '\(inPath)'") }
    let file = try ModelFile(decoding: [UInt8](bytes))
    guard let input = file.inputs.first else { throw ConversionError("'\(inPath)' has no input") }
    let size = file.tensors[Int(input.rawValue)].elementCount
    let floats = try readFloats(calibrationPath)
    guard size > 0, !floats.isEmpty, floats.count % size == 0 else {
        throw ConversionError("'\(calibrationPath)' holds \(floats.count) values, not whole inputs of \(size)")
    }
    let examples = stride(from: 0, to: floats.count, by: size).map { Array(floats[$0..<($0 + size)]) }
    let data = CalibrationData(calibration: examples,
                               evaluation: examples.prefix(64).map { CalibrationData.Example(input: $0, label: nil) },
                               source: "\(examples.count) inputs from \(calibrationPath)")
    let quantized = try Int8Exporter.quantize(file, data: data)
    try quantized.write(to: outPath)
    print("\(outPath): \(quantized.report.int8Layers) of \(quantized.report.layers.count) layers int8")
}

do {
    let arguments = Array(CommandLine.arguments.dropFirst())
    if arguments.first == "--quantize" {
        try quantize(Array(arguments.dropFirst()))
        exit(0)
    }
    try run(arguments)
} catch {
    FileHandle.standardError.write(Data("dlrt-golden: error: \(error)\n".utf8))
    exit(1)
}
