/// What `dlexport --inspect` reports about a model file: the graph node by
/// node with shapes, attributes and multiply-accumulates, the parameter
/// count, the metadata and the self-test vector. Rendered as text
/// (`text`) or JSON (`json`), both from this one value.
///
/// MACs follow the zoo's convention (`FlopCounting`): one per weight
/// multiply of conv2d, conv_transpose2d and dense nodes, nothing for the
/// rest; FLOPs are twice that. They are counted on the graph as exported,
/// so a pooling lowered to `dense` (adaptive average pooling at an odd
/// size) counts, and a folded batch norm does not.
public struct ModelInspection: Sendable {
    public struct TensorSummary: Sendable, Equatable {
        public let name: String
        public let shape: [Int]
        public let dtype: String
    }

    public struct Node: Sendable, Equatable {
        public let index: Int
        public let op: String
        public let version: Int
        /// Input tensors in order; nil for an absent optional input.
        public let inputs: [TensorSummary?]
        public let outputs: [TensorSummary]
        /// Attribute name (docs/FORMAT.md) and values, in file order.
        public let attributes: [(name: String, value: Attribute.Value)]
        public let macs: Int

        public static func == (a: Node, b: Node) -> Bool {
            a.index == b.index && a.op == b.op && a.inputs == b.inputs && a.outputs == b.outputs && a.macs == b.macs
                && a.attributes.map(\.name) == b.attributes.map(\.name) && a.attributes.map(\.value) == b.attributes.map(\.value)
        }
    }

    /// The C runtime's verdict on the file, when it was loaded there.
    public struct RuntimeCheck: Sendable, Equatable {
        /// e.g. "0.1.0 avx512".
        public let runtime: String
        /// The self-test's largest normalized error (<= 1 passes); nil when the file has no self-test.
        public let selfTestError: Double?

        public init(runtime: String, selfTestError: Double?) {
            self.runtime = runtime
            self.selfTestError = selfTestError
        }
    }

    public let path: String
    public let fileSize: Int
    public let metadata: [MetadataEntry]
    public let inputs: [TensorSummary]
    public let outputs: [TensorSummary]
    public let nodes: [Node]
    /// Elements and bytes of all constant tensors.
    public let parameters: Int
    public let parameterBytes: Int
    public let macs: Int
    public var flops: Int { 2 * macs }
    public let selfTest: SelfTestVector?
    public let runtimeCheck: RuntimeCheck?

    public init(_ file: ModelFile, path: String, fileSize: Int, runtimeCheck: RuntimeCheck? = nil) throws {
        func summary(_ id: TensorID) throws -> TensorSummary {
            guard file.tensors.indices.contains(id.index) else {
                throw ExportError.invalidArgument("the graph refers to \(id), which does not exist")
            }
            let tensor = file.tensors[id.index]
            return TensorSummary(name: tensor.name, shape: tensor.shape, dtype: "\(tensor.dtype)")
        }
        self.path = path
        self.fileSize = fileSize
        metadata = file.metadata
        inputs = try file.inputs.map(summary)
        outputs = try file.outputs.map(summary)
        nodes = try file.nodes.enumerated().map { index, node in
            let inputs = try node.inputs.map { try $0.map(summary) }
            let outputs = try node.outputs.map(summary)
            return Node(index: index, op: node.op.name, version: Int(node.version), inputs: inputs, outputs: outputs,
                        attributes: node.attributes.map { (Self.attributeName($0.key), $0.value) },
                        macs: Self.macs(node.op, inputs: inputs, outputs: outputs))
        }
        let constants = file.tensors.filter(\.isConstant)
        parameters = constants.reduce(0) { $0 + $1.elementCount }
        parameterBytes = constants.reduce(0) { $0 + ($1.data?.count ?? 0) }
        macs = nodes.reduce(0) { $0 + $1.macs }
        selfTest = file.selfTest
        self.runtimeCheck = runtimeCheck
    }

    /// Weight multiplies of one node: every output element of a conv or
    /// dense takes one per weight of its filter; a transposed conv scatters
    /// each input element through its filter; a recurrent layer uses every
    /// weight of W_ih and W_hh once per sequence step.
    static func macs(_ op: OpCode, inputs: [TensorSummary?], outputs: [TensorSummary]) -> Int {
        guard inputs.count >= 2, let x = inputs[0], let weight = inputs[1], let y = outputs.first else { return 0 }
        let filter = weight.shape.dropFirst().reduce(1, *)
        switch op {
        case .conv2d, .dense: return y.shape.reduce(1, *) * filter
        case .convTranspose2d: return x.shape.reduce(1, *) * filter
        case .rnn, .lstm, .gru:
            guard inputs.count >= 3, let hidden = inputs[2], x.shape.count == 3 else { return 0 }
            return x.shape[0] * x.shape[1] * (weight.shape.reduce(1, *) + hidden.shape.reduce(1, *))
        default: return 0
        }
    }

    /// The spec's name of an attribute key ("strides", ...), or "attribute <n>".
    static func attributeName(_ key: AttributeKey) -> String {
        let names = ["strides", "pads", "dilations", "groups", "activation", "alpha", "beta", "lrn_k", "size", "kernel",
                     "ceil_mode", "count_include_pad", "axis", "epsilon", "shape", "output_padding", "value"]
        let index = Int(key.rawValue) - 1
        return names.indices.contains(index) ? names[index] : "attribute \(key.rawValue)"
    }

    /// The name of a fused-activation code (the `activation` attribute).
    static func activationName(_ code: Int64) -> String {
        let names = ["none", "relu", "leaky_relu", "sigmoid", "tanh", "relu6"]
        return names.indices.contains(Int(code)) ? names[Int(code)] : "activation \(code)"
    }
}
