/// Builds a model graph and writes it as a `.dlrt` file.
///
/// Tools, tests and the exporter all build models through this one type, so
/// that the rules of docs/FORMAT.md are enforced in one place: names are
/// unique, shapes are inferred (with the C runtime's own shape functions for
/// the windowed ops) rather than trusted, weights are constants.
///
/// A value type: copying a builder forks the graph, which is how a test
/// derives a broken variant from a valid model. Typed helpers (`conv2d`,
/// `dense`, `relu`, ...) validate and throw `ExportError`; `node(...)` is the
/// unchecked escape hatch for graphs the loader must refuse.
///
/// Because it is a value, read the builder only after a mutating call has
/// returned: `b.shape(of: b.relu(x))` evaluates the outer `b` *before* the
/// node is added. Bind the new tensor first (`let y = try b.relu(x)`).
///
/// ```swift
/// var b = GraphBuilder()
/// let x = try b.input(name: "x", shape: [1, 4])
/// let w = try b.constant(name: "w", shape: [2, 4], values: weights)
/// let y = try b.dense(x, weight: w, activation: .relu)
/// try b.output(y)
/// try b.write(to: "model.dlrt")
/// ```
public struct GraphBuilder: Sendable {
    public internal(set) var tensors: [TensorDefinition] = []
    public internal(set) var nodes: [NodeDefinition] = []
    public internal(set) var inputs: [TensorID] = []
    public internal(set) var outputs: [TensorID] = []
    public internal(set) var metadata: [MetadataEntry] = []
    public internal(set) var selfTestVector: SelfTestVector?
    private var names: Set<String> = []

    public init() {}

    /// Continues building on `file`'s graph, e.g. after `GraphRewriter`
    /// rewrote a builder-made graph. Only name uniqueness is carried over;
    /// the graph is trusted to be one a builder made.
    init(_ file: ModelFile) {
        tensors = file.tensors
        nodes = file.nodes
        inputs = file.inputs
        outputs = file.outputs
        metadata = file.metadata
        selfTestVector = file.selfTest
        names = Set(file.tensors.map(\.name))
    }

    // MARK: - metadata

    /// Sets a metadata entry; setting a key again replaces its value in place
    /// (keys are unique in the file). Sizes are checked when serializing.
    public mutating func setMetadata(_ value: MetadataValue, for key: MetadataKey) {
        if let index = metadata.firstIndex(where: { $0.key == key }) {
            metadata[index].value = value
        } else {
            metadata.append(MetadataEntry(key: key, value: value))
        }
    }

    public func metadata(for key: MetadataKey) -> MetadataValue? {
        metadata.first(where: { $0.key == key })?.value
    }

    // MARK: - tensors

    /// Declares a graph input. `shape` is at the file's batch size (dim 0 is
    /// the batch for NCHW and [N, K] inputs).
    public mutating func input(name: String, shape: [Int]) throws -> TensorID {
        guard inputs.count < ModelFormat.Caps.graphInputs else {
            throw ExportError.invalidArgument("a graph has at most \(ModelFormat.Caps.graphInputs) inputs")
        }
        let id = try declare(TensorDefinition(name: name, shape: shape))
        inputs.append(id)
        return id
    }

    /// An f32 constant (weights, biases, batch-norm statistics).
    public mutating func constant(name: String, shape: [Int], values: [Float]) throws -> TensorID {
        try constant(name: name, dtype: .f32, shape: shape, count: values.count, bytes: Self.littleEndianBytes(values))
    }

    /// An int8 constant with its quantization (e.g. quantized weights).
    public mutating func constant(name: String, shape: [Int], values: [Int8], quantization: Quantization) throws
        -> TensorID
    {
        try constant(name: name, dtype: .i8, shape: shape, count: values.count,
                     bytes: values.map { UInt8(bitPattern: $0) }, quantization: quantization)
    }

    /// A uint8 constant with its quantization.
    public mutating func constant(name: String, shape: [Int], values: [UInt8], quantization: Quantization) throws
        -> TensorID
    {
        try constant(name: name, dtype: .u8, shape: shape, count: values.count, bytes: values,
                     quantization: quantization)
    }

    /// An int32 constant, e.g. a quantized bias (`quantization` may be `.none`).
    public mutating func constant(name: String, shape: [Int], values: [Int32], quantization: Quantization = .none)
        throws -> TensorID
    {
        try constant(name: name, dtype: .i32, shape: shape, count: values.count,
                     bytes: Self.littleEndianBytes(values), quantization: quantization)
    }

    /// Declares a non-constant tensor with an explicit shape, to be named as
    /// the output of a raw `node(...)`. Typed helpers declare their outputs themselves.
    public mutating func tensor(name: String, dtype: DType = .f32, shape: [Int], quantization: Quantization = .none)
        throws -> TensorID
    {
        try declare(TensorDefinition(name: name, dtype: dtype, shape: shape, quantization: quantization))
    }

    /// The definition of `tensor`, or an error naming the unknown id.
    public func definition(of tensor: TensorID) throws -> TensorDefinition {
        guard tensors.indices.contains(tensor.index) else {
            throw ExportError.invalidArgument("\(tensor) does not exist (the graph has \(tensors.count) tensors)")
        }
        return tensors[tensor.index]
    }

    public func shape(of tensor: TensorID) throws -> [Int] { try definition(of: tensor).shape }

    // MARK: - graph

    /// Appends a node exactly as given, without any check: the escape hatch
    /// for tests that need graphs the loader must refuse (unknown ops, wrong
    /// versions, bad attributes, dangling or cyclic references). Outputs must
    /// be declared first with `tensor(name:shape:)` (or be any id at all).
    public mutating func node(op: OpCode, version: UInt16 = 1, inputs: [TensorID?], outputs: [TensorID],
                              attributes: [Attribute] = [])
    {
        nodes.append(NodeDefinition(op: op, version: version, inputs: inputs, outputs: outputs, attributes: attributes))
    }

    /// Marks `tensor` as a graph output, in call order.
    public mutating func output(_ tensor: TensorID) throws {
        let definition = try definition(of: tensor)
        guard !outputs.contains(tensor) else {
            throw ExportError.invalidArgument("tensor '\(definition.name)' is already a graph output")
        }
        guard outputs.count < ModelFormat.Caps.graphOutputs else {
            throw ExportError.invalidArgument("a graph has at most \(ModelFormat.Caps.graphOutputs) outputs")
        }
        outputs.append(tensor)
    }

    /// Stores a self-test vector: `inputs` must give every graph input (in any
    /// order; they are written in graph order), `outputs` some graph outputs,
    /// each with exactly the tensor's element count. The runtime's
    /// `dlrt_model_selftest` then checks `|got - want| <= atol + rtol * |want|`.
    public mutating func selfTest(inputs: [(TensorID, [Float])], outputs: [(TensorID, [Float])], rtol: Float,
                                  atol: Float) throws
    {
        guard rtol.isFinite, rtol >= 0, atol.isFinite, atol >= 0 else {
            throw ExportError.invalidArgument("self-test tolerances must be finite and >= 0 (rtol \(rtol), atol \(atol))")
        }
        let given = Dictionary(inputs.map { ($0.0, $0.1) }, uniquingKeysWith: { first, _ in first })
        guard inputs.count == self.inputs.count, Set(given.keys) == Set(self.inputs) else {
            throw ExportError.invalidArgument(
                "the self-test must give each of the \(self.inputs.count) graph inputs exactly once")
        }
        guard !outputs.isEmpty, outputs.count <= self.outputs.count,
            Set(outputs.map(\.0)).count == outputs.count, outputs.allSatisfy({ self.outputs.contains($0.0) })
        else {
            throw ExportError.invalidArgument("the self-test must check 1 to \(self.outputs.count) distinct graph outputs")
        }
        let inputEntries = self.inputs.compactMap { id in given[id].map { SelfTestVector.Entry(tensor: id, values: $0) } }
        let outputEntries = outputs.map { SelfTestVector.Entry(tensor: $0.0, values: $0.1) }
        for entry in inputEntries + outputEntries {
            let definition = try definition(of: entry.tensor)
            guard entry.values.count == definition.elementCount else {
                throw ExportError.shape(
                    "self-test values for '\(definition.name)': \(entry.values.count) given, its shape "
                        + "\(definition.shape) has \(definition.elementCount)")
            }
        }
        selfTestVector = SelfTestVector(rtol: rtol, atol: atol, inputs: inputEntries, outputs: outputEntries)
    }

    // MARK: - output

    /// The graph as the file will store it, for inspection or for tests that
    /// edit it before serializing.
    public var modelFile: ModelFile {
        ModelFile(metadata: metadata, tensors: tensors, inputs: inputs, outputs: outputs, nodes: nodes,
                  selfTest: selfTestVector)
    }

    /// The `.dlrt` bytes. Checks the caps a reader enforces on metadata; the
    /// graph itself was checked node by node as it was built.
    public func serialize() throws -> [UInt8] {
        try validateMetadata()
        return try modelFile.serialize()
    }

    /// Serializes and writes `path` atomically (temporary file in the same
    /// directory, fsync, rename); on failure nothing is left behind.
    public func write(to path: String) throws {
        try AtomicFile.write(try serialize(), to: path)
    }

    // MARK: - internals

    /// Adds a tensor after checking its name and shape against the format's rules.
    mutating func declare(_ tensor: TensorDefinition) throws -> TensorID {
        let name = tensor.name
        guard (1...ModelFormat.Caps.tensorNameBytes).contains(name.utf8.count) else {
            throw ExportError.invalidArgument(
                "tensor name '\(name)' must be 1 to \(ModelFormat.Caps.tensorNameBytes) bytes of UTF-8")
        }
        guard !names.contains(name) else {
            throw ExportError.invalidArgument("a tensor named '\(name)' already exists")
        }
        guard tensor.shape.count <= ModelFormat.Caps.rank else {
            throw ExportError.shape("tensor '\(name)': rank \(tensor.shape.count) exceeds \(ModelFormat.Caps.rank)")
        }
        guard tensor.shape.allSatisfy({ (1...ModelFormat.Caps.maxDimension).contains($0) }) else {
            throw ExportError.shape("tensor '\(name)': every dimension must be 1 to 2^31-1, got \(tensor.shape)")
        }
        guard tensors.count < ModelFormat.Caps.tensors else {
            throw ExportError.invalidArgument("a model has at most \(ModelFormat.Caps.tensors) tensors")
        }
        try tensor.quantization.validate(dtype: tensor.dtype, shape: tensor.shape, tensor: name)
        names.insert(name)
        tensors.append(tensor)
        return TensorID(rawValue: UInt32(tensors.count - 1))
    }

    private mutating func constant(name: String, dtype: DType, shape: [Int], count: Int, bytes: [UInt8],
                                   quantization: Quantization = .none) throws -> TensorID
    {
        let expected = shape.reduce(1) { $0 &* $1 }
        guard count == expected else {
            throw ExportError.shape("constant '\(name)': \(count) values for shape \(shape) (\(expected) elements)")
        }
        return try declare(TensorDefinition(name: name, dtype: dtype, shape: shape, quantization: quantization,
                                            data: bytes))
    }

    /// A fresh tensor name "<op>_<n>" for a node output the caller did not name.
    func uniqueName(_ requested: String?, op: OpCode) -> String {
        if let requested { return requested }
        var index = nodes.count
        while names.contains("\(op.name)_\(index)") { index += 1 }
        return "\(op.name)_\(index)"
    }

    private func validateMetadata() throws {
        let caps = ModelFormat.Caps.self
        guard metadata.count <= caps.metadataEntries else {
            throw ExportError.invalidArgument("\(metadata.count) metadata entries exceed \(caps.metadataEntries)")
        }
        for entry in metadata {
            let key = entry.key.rawValue
            guard (1...caps.metadataKeyBytes).contains(key.utf8.count) else {
                throw ExportError.invalidArgument("metadata key '\(key)' must be 1 to \(caps.metadataKeyBytes) bytes")
            }
            let strings: [String]
            let count: Int
            switch entry.value {
            case .i64, .f64: strings = []; count = 1
            case .string(let value): strings = [value]; count = 1
            case .i64Array(let values): strings = []; count = values.count
            case .f64Array(let values): strings = []; count = values.count
            case .stringArray(let values): strings = values; count = values.count
            }
            guard count <= caps.metadataArrayCount else {
                throw ExportError.invalidArgument("metadata '\(key)': \(count) entries exceed \(caps.metadataArrayCount)")
            }
            if let long = strings.first(where: { $0.utf8.count > caps.metadataStringBytes }) {
                throw ExportError.invalidArgument(
                    "metadata '\(key)': a string of \(long.utf8.count) bytes exceeds \(caps.metadataStringBytes)")
            }
        }
    }

    /// Values as little-endian bytes, whatever the host's byte order.
    static func littleEndianBytes<T: FixedWidthInteger>(_ values: [T]) -> [UInt8] {
        // On a little-endian host the memory already is the file's layout: one copy (VGG's 0.5 GB of weights).
        if 1.littleEndian == 1 { return values.withUnsafeBytes { Array($0) } }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(values.count * MemoryLayout<T>.size)
        for value in values {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return bytes
    }

    static func littleEndianBytes(_ values: [Float]) -> [UInt8] {
        if 1.littleEndian == 1 { return values.withUnsafeBytes { Array($0) } }
        return littleEndianBytes(values.map(\.bitPattern))
    }

    /// The inverse of `littleEndianBytes(_: [Float])`.
    static func floats(littleEndian bytes: [UInt8]) -> [Float] {
        let count = bytes.count / 4
        var values = [Float](repeating: 0, count: count)
        if 1.littleEndian == 1 {
            values.withUnsafeMutableBytes { $0.copyBytes(from: bytes.prefix(count * 4)) }
            return values
        }
        for i in values.indices {
            var bits: UInt32 = 0
            for k in 0..<4 { bits |= UInt32(bytes[4 * i + k]) << (8 * k) }
            values[i] = Float(bitPattern: bits)
        }
        return values
    }
}
