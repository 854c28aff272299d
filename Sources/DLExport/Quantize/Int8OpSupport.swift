/// Which nodes the C runtime runs in int8, by the file contract: a node whose
/// X input is i8 runs its int8 kernel. conv2d (grouped and depthwise too),
/// conv_transpose2d (ungrouped, undilated) and dense take i8 per-channel
/// weights and an i32 bias; the others move or
/// combine i8 activations. Everything else stays f32, and so does a pad whose
/// constant is not 0 (the runtime refuses one its output range cannot hold).
enum Int8Role: Sendable, Equatable {
    /// conv2d, conv_transpose2d, dense: quantized weights, a requantized output with its own range.
    case weighted
    /// avg_pool2d, global_avg_pool, add, concat, relu: a requantized output with its own range.
    case requantizing
    /// max_pool2d, flatten, reshape, pad with 0: the output carries the input's scale and zero point.
    case passThrough

    /// The role of `node`, or why it has no int8 kernel.
    static func of(_ node: NodeDefinition) -> Result<Int8Role, Int8Unsupported> {
        let role: Int8Role
        switch node.op {
        case .conv2d, .dense: role = .weighted
        case .convTranspose2d:
            let groups = node.attributes.integers(.groups)?.first ?? 1
            let dilations = node.attributes.integers(.dilations) ?? [1, 1]
            guard groups == 1, dilations.allSatisfy({ $0 == 1 }) else {
                return .failure(Int8Unsupported(reason: "conv_transpose2d has an int8 kernel for groups 1 and dilation 1 only"))
            }
            role = .weighted
        case .avgPool2d, .globalAvgPool, .add, .concat, .relu: role = .requantizing
        case .maxPool2d, .flatten, .reshape: role = .passThrough
        case .pad where (node.attributes.float(.value) ?? 0) == 0: role = .passThrough
        case .pad: return .failure(Int8Unsupported(reason: "its constant is not 0"))
        default: return .failure(Int8Unsupported(reason: "\(node.op.name) has no int8 kernel"))
        }
        if let code = node.attributes.activation, !Self.fusedActivations.contains(code) {
            return .failure(Int8Unsupported(reason: "its fused \(Self.activationName(code)) has no int8 kernel"))
        }
        return .success(role)
    }

    /// Fused activations the int8 kernels clamp to: relu (1) and relu6 (5); none is absent.
    static let fusedActivations: Set<Int64> = [1, 5]

    static func activationName(_ code: Int64) -> String {
        let names = ["none", "relu", "leaky_relu", "sigmoid", "tanh", "relu6"]
        return names.indices.contains(Int(code)) ? names[Int(code)] : "activation \(code)"
    }
}

/// Why a node has no int8 kernel.
struct Int8Unsupported: Error, Equatable {
    let reason: String
}

extension NodeDefinition {
    /// The non-constant inputs (activations) of a node in `file`, in order.
    func activationInputs(in file: ModelFile) -> [TensorID] {
        inputs.compactMap { $0 }.filter { !file.tensors[$0.index].isConstant }
    }

    /// A conv2d whose every group has one input and one output channel.
    func isDepthwise(in file: ModelFile) -> Bool {
        guard op == .conv2d, inputs.count > 1, let weight = inputs[1] else { return false }
        let shape = file.tensors[weight.index].shape
        let groups = attributes.integers(.groups)?.first ?? 1
        return groups > 1 && shape.count == 4 && shape[1] == 1 && Int64(shape[0]) == groups
    }

    /// The most multiply-adds one output value sums: `C/groups * kh * kw` for
    /// conv2d, `K` for dense, `C * ceil(kh / sh) * ceil(kw / sw)` for
    /// conv_transpose2d (weight [C, M, kh, kw]: a stride-s output sees every
    /// s-th tap).
    func inputsPerOutput(in file: ModelFile) -> Int {
        guard inputs.count > 1, let weight = inputs[1] else { return 0 }
        let shape = file.tensors[weight.index].shape
        guard op == .convTranspose2d, shape.count == 4 else { return shape.dropFirst().reduce(1, *) }
        let strides = attributes.integers(.strides)?.map(Int.init) ?? [1, 1]
        let taps = zip(shape[2...], strides).map { kernel, stride in (kernel + stride - 1) / max(stride, 1) }
        return shape[0] * taps.reduce(1, *)
    }

    /// A conv_transpose2d with a stride above 1 (one int8 GEMM per output phase).
    var isStridedTransposedConvolution: Bool {
        op == .convTranspose2d && (attributes.integers(.strides) ?? [1, 1]).contains { $0 > 1 }
    }

    /// The weight's output-channel axis: 1 for conv_transpose2d's [C, M, kh, kw], else 0.
    var weightChannelAxis: Int { op == .convTranspose2d ? 1 : 0 }
}

extension [Attribute] {
    func integers(_ key: AttributeKey) -> [Int64]? {
        guard case .i64(let values)? = first(where: { $0.key == key })?.value else { return nil }
        return values
    }
}
