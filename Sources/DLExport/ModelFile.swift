/// Identifies a tensor: its index in the file's tensor table.
///
/// The initializer is public so that tests can refer to tensors that do not
/// exist (a dangling id) and check that the loader refuses them.
public struct TensorID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    var index: Int { Int(rawValue) }
    public var description: String { "tensor #\(rawValue)" }
}

/// One entry of the tensor table. A tensor with `data` is a constant; any
/// other is a graph input or a node output, whose `shape` is its shape at the
/// file's batch size.
public struct TensorDefinition: Hashable, Sendable {
    public var name: String
    public var dtype: DType
    public var shape: [Int]
    public var quantization: Quantization
    /// The constant's bytes, little-endian, exactly `elementCount * dtype.size` long; nil if not constant.
    public var data: [UInt8]?

    public init(name: String, dtype: DType = .f32, shape: [Int], quantization: Quantization = .none,
                data: [UInt8]? = nil)
    {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.quantization = quantization
        self.data = data
    }

    public var isConstant: Bool { data != nil }
    public var elementCount: Int { shape.reduce(1, *) }
}

/// One node of the graph, as stored.
public struct NodeDefinition: Hashable, Sendable {
    public var op: OpCode
    public var version: UInt16
    /// `nil` marks an absent optional input (written as 0xFFFFFFFF).
    public var inputs: [TensorID?]
    public var outputs: [TensorID]
    public var attributes: [Attribute]

    public init(op: OpCode, version: UInt16 = 1, inputs: [TensorID?], outputs: [TensorID],
                attributes: [Attribute] = [])
    {
        self.op = op
        self.version = version
        self.inputs = inputs
        self.outputs = outputs
        self.attributes = attributes
    }
}

/// One `META` entry. Entries are written in this order.
public struct MetadataEntry: Hashable, Sendable {
    public var key: MetadataKey
    public var value: MetadataValue
    public init(key: MetadataKey, value: MetadataValue) {
        self.key = key
        self.value = value
    }
}

/// The optional `SELFTEST` section: inputs, and the outputs they must produce
/// within `|got - want| <= atol + rtol * |want|`.
public struct SelfTestVector: Hashable, Sendable {
    public struct Entry: Hashable, Sendable {
        public var tensor: TensorID
        public var values: [Float]
        public init(tensor: TensorID, values: [Float]) {
            self.tensor = tensor
            self.values = values
        }
    }

    public var rtol: Float
    public var atol: Float
    public var inputs: [Entry]
    public var outputs: [Entry]

    public init(rtol: Float, atol: Float, inputs: [Entry], outputs: [Entry]) {
        self.rtol = rtol
        self.atol = atol
        self.inputs = inputs
        self.outputs = outputs
    }
}

/// The whole content of a `.dlrt` file, one field per section, in the shape
/// the file stores it.
///
/// This is the low level: `serialize()` encodes exactly what it is given and
/// checks only that it *can* be encoded (counts fit their fields). It does not
/// check that the graph makes sense — `GraphBuilder` does that — so tests can
/// build files the loader must refuse (duplicate names, dangling ids, wrong
/// shapes) by editing a `ModelFile` directly.
public struct ModelFile: Hashable, Sendable {
    public var metadata: [MetadataEntry]
    public var tensors: [TensorDefinition]
    public var inputs: [TensorID]
    public var outputs: [TensorID]
    public var nodes: [NodeDefinition]
    public var selfTest: SelfTestVector?

    public init(metadata: [MetadataEntry] = [], tensors: [TensorDefinition] = [], inputs: [TensorID] = [],
                outputs: [TensorID] = [], nodes: [NodeDefinition] = [], selfTest: SelfTestVector? = nil)
    {
        self.metadata = metadata
        self.tensors = tensors
        self.inputs = inputs
        self.outputs = outputs
        self.nodes = nodes
        self.selfTest = selfTest
    }

    /// Whether any activation is int8 (or a node converts to or from it): such
    /// a file is written as format 1.1.
    public var computesInInt8: Bool {
        nodes.contains { $0.op == .quantize || $0.op == .dequantize }
            || tensors.contains { !$0.isConstant && $0.dtype == .i8 }
    }

    /// Whether any node is `embedding`, `rnn`, `lstm` or `gru`: such a file is written as format 1.2.
    public var usesRecurrentOps: Bool {
        nodes.contains { [OpCode.embedding, .rnn, .lstm, .gru].contains($0.op) }
    }

    /// The lowest minor version that can hold the file (docs/FORMAT.md,
    /// "Header"), so that an older reader still runs every file it can.
    public var minorVersion: UInt16 {
        usesRecurrentOps ? ModelFormat.recurrentMinorVersion
            : computesInInt8 ? ModelFormat.int8MinorVersion : ModelFormat.minorVersion
    }

    /// The file's bytes, per docs/FORMAT.md.
    public func serialize() throws -> [UInt8] {
        try ModelFileEncoder(file: self).encode()
    }

    /// Serializes and writes atomically: readers of `path` see the old file or
    /// the complete new one, never a torn one, and a failure leaves nothing behind.
    public func write(to path: String) throws {
        try AtomicFile.write(try serialize(), to: path)
    }
}
