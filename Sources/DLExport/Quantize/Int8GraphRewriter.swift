import DeepLearning

/// Rewrites a lowered fp32 graph into one that computes in int8 where it is
/// told to, by the file contract (docs/FORMAT.md, "int8"):
///
/// - a node chosen for int8 reads i8 activations: an f32 input is converted
///   by a `quantize` node (one per tensor, shared by its consumers), with the
///   scale and zero point calibration gave that tensor;
/// - conv2d, conv_transpose2d and dense get per-channel i8 weights and an i32 bias (new
///   constants `<name>.int8`), their output is i8 with its own range;
///   max_pool2d, flatten and reshape outputs carry their input's quantization;
/// - a node left in fp32 that reads an i8 tensor gets a `dequantize` node in
///   between, as does every graph output (graph inputs and outputs stay f32).
///
/// Node attributes, tensor names and ids of the original tensors are kept,
/// so that an int8 tensor has the name of the fp32 tensor it replaces and
/// the two can be compared after a run (`tensor(at:)` dequantizes it).
struct Int8GraphRewriter {
    let source: ModelFile
    /// The quantization of every activation tensor (by index in `source`)
    /// that may become i8, as calibration chose it.
    let activations: [Int: ActivationQuantization]

    private var file: ModelFile
    private var quantized: [Int: TensorID] = [:]
    private var dequantized: [Int: TensorID] = [:]
    private var names: Set<String>

    init(_ source: ModelFile, activations: [Int: ActivationQuantization]) {
        self.source = source
        self.activations = activations
        file = source
        file.nodes = []
        // The fp32 self-test names the fp32 output; the caller makes the int8 one.
        file.selfTest = nil
        names = Set(source.tensors.map(\.name))
    }

    /// The graph with `int8Nodes` (indices into `source.nodes`) in int8 and
    /// every other node as it was. Each int8 node's role must allow it
    /// (`Int8Role.of`), and a pass-through node's input must be i8.
    static func quantized(_ source: ModelFile, activations: [Int: ActivationQuantization], int8Nodes: Set<Int>) throws
        -> ModelFile
    {
        var rewriter = Int8GraphRewriter(source, activations: activations)
        var isInt8 = Set<Int>()
        for (index, node) in source.nodes.enumerated() {
            if int8Nodes.contains(index) {
                var inputs = node.inputs
                for (k, input) in node.inputs.enumerated() {
                    guard let input, !source.tensors[input.index].isConstant, !isInt8.contains(input.index) else { continue }
                    inputs[k] = try rewriter.quantizedVersion(of: input)
                }
                let output = node.outputs[0]
                try rewriter.appendInt8(node, inputs: inputs, output: output)
                isInt8.insert(output.index)
            } else {
                var copy = node
                copy.inputs = try node.inputs.map { input in
                    guard let input, isInt8.contains(input.index) else { return input }
                    return try rewriter.dequantizedVersion(of: input)
                }
                rewriter.file.nodes.append(copy)
            }
        }
        rewriter.file.outputs = try source.outputs.map {
            isInt8.contains($0.index) ? try rewriter.dequantizedVersion(of: $0) : $0
        }
        return GraphRewriter(rewriter.file).compacted()
    }

    /// The fp32 graph unchanged, plus for each node of `candidates` an int8
    /// twin that reads the fp32 graph's own inputs (quantized) and writes an
    /// i8 tensor read by nothing: one run gives every layer's int8 error on
    /// exact inputs, each layer isolated from the others' errors. Returns the
    /// graph and each candidate's twin output.
    static func isolated(_ source: ModelFile, activations: [Int: ActivationQuantization], candidates: Set<Int>) throws
        -> (file: ModelFile, twins: [Int: TensorID])
    {
        var rewriter = Int8GraphRewriter(source, activations: activations)
        var twins: [Int: TensorID] = [:]
        for (index, node) in source.nodes.enumerated() {
            rewriter.file.nodes.append(node)
            guard candidates.contains(index) else { continue }
            var inputs = node.inputs
            for (k, input) in node.inputs.enumerated() {
                guard let input, !source.tensors[input.index].isConstant else { continue }
                inputs[k] = try rewriter.quantizedVersion(of: input)
            }
            let original = source.tensors[node.outputs[0].index]
            let twin = rewriter.appendTensor(TensorDefinition(name: rewriter.unique(original.name + ".int8"),
                                                              shape: original.shape))
            try rewriter.appendInt8(node, inputs: inputs, output: twin, calibratedAs: node.outputs[0])
            twins[index] = twin
        }
        return (rewriter.file, twins)
    }

    // MARK: - nodes

    /// Appends `node` computing in int8 on `inputs` (activations already i8),
    /// writing `output` as i8 with the quantization of `calibratedAs`.
    private mutating func appendInt8(_ node: NodeDefinition, inputs: [TensorID?], output: TensorID,
                                     calibratedAs reference: TensorID? = nil) throws {
        let role = try Self.role(of: node)
        var inputs = inputs
        let outputQuantization: ActivationQuantization
        switch role {
        case .passThrough:
            guard let x = inputs.first ?? nil, case .perTensor(let scale, let zero) = file.tensors[x.index].quantization else {
                throw ExportError.invalidArgument("\(Self.describe(node, in: source)): its input is not int8")
            }
            outputQuantization = ActivationQuantization(scale: scale, zeroPoint: zero)
        case .weighted, .requantizing:
            outputQuantization = try quantization(of: reference ?? node.outputs[0])
            if role == .weighted {
                guard let x = inputs[0], case .perTensor(let inputScale, _) = file.tensors[x.index].quantization else {
                    throw ExportError.invalidArgument("\(Self.describe(node, in: source)): its input is not int8")
                }
                let constants = try Self.weightedConstants(node, in: source, inputScale: inputScale)
                inputs[1] = appendTensor(constants.weight)
                if let bias = constants.bias { inputs[2] = appendTensor(bias) }
            }
        }
        file.tensors[output.index].dtype = .i8
        file.tensors[output.index].quantization = outputQuantization.tensorQuantization
        file.nodes.append(NodeDefinition(op: node.op, version: node.version, inputs: inputs, outputs: [output],
                                         attributes: node.attributes))
    }

    /// The i8 weight and i32 bias of a conv2d, conv_transpose2d or dense node whose input has
    /// `inputScale`. Throws naming the layer when the weights are not finite
    /// or the bias breaks the int32 accumulator bound.
    static func weightedConstants(_ node: NodeDefinition, in file: ModelFile, inputScale: Float) throws
        -> (weight: TensorDefinition, bias: TensorDefinition?)
    {
        guard node.inputs.count > 1, let weightID = node.inputs[1] else {
            throw ExportError.invalidArgument("\(describe(node, in: file)): has no weight")
        }
        let weight = file.tensors[weightID.index]
        guard weight.dtype == .f32, let data = weight.data, weight.shape.indices.contains(node.weightChannelAxis) else {
            throw ExportError.invalidArgument("\(describe(node, in: file)): weight '\(weight.name)' is not an f32 constant")
        }
        let quantized = try WeightQuantization(weights: GraphBuilder.floats(littleEndian: data), shape: weight.shape,
                                               axis: node.weightChannelAxis, tensor: weight.name)
        let weightDefinition = TensorDefinition(
            name: weight.name + ".int8", dtype: .i8, shape: weight.shape, quantization: quantized.tensorQuantization,
            data: quantized.values.map { UInt8(bitPattern: $0) })
        guard node.inputs.count > 2, let biasID = node.inputs[2] else { return (weightDefinition, nil) }
        let bias = file.tensors[biasID.index]
        guard bias.dtype == .f32, let biasData = bias.data else {
            throw ExportError.invalidArgument("\(describe(node, in: file)): bias '\(bias.name)' is not an f32 constant")
        }
        let values = GraphBuilder.floats(littleEndian: biasData)
        if let bad = values.firstIndex(where: { !$0.isFinite }) {
            throw ExportError.invalidArgument("bias '\(bias.name)' holds \(values[bad]) at element \(bad); "
                                                  + "a model with NaN or infinite weights cannot be quantized")
        }
        guard let q = quantized.quantizedBias(values, inputScale: inputScale,
                                              inputsPerOutput: node.inputsPerOutput(in: file)) else {
            throw Int8Unsupported(reason: "its bias exceeds the int32 accumulator bound |bias_q| + 255*127*K < 2^31")
        }
        let scales = quantized.biasScales(inputScale: inputScale)
        return (weightDefinition, TensorDefinition(
            name: bias.name + ".int8", dtype: .i32, shape: bias.shape,
            quantization: .perChannel(axis: 0, scales: scales, zeroPoints: [Int32](repeating: 0, count: scales.count)),
            data: GraphBuilder.littleEndianBytes(q)))
    }

    // MARK: - conversions

    /// `tensor` as i8 through a `quantize` node, made once.
    private mutating func quantizedVersion(of tensor: TensorID) throws -> TensorID {
        if let made = quantized[tensor.index] { return made }
        let original = source.tensors[tensor.index]
        let made = appendTensor(TensorDefinition(name: unique(original.name + ".quantized"), dtype: .i8,
                                                 shape: original.shape,
                                                 quantization: try quantization(of: tensor).tensorQuantization))
        file.nodes.append(NodeDefinition(op: .quantize, inputs: [tensor], outputs: [made]))
        quantized[tensor.index] = made
        return made
    }

    /// i8 `tensor` as f32 through a `dequantize` node, made once.
    private mutating func dequantizedVersion(of tensor: TensorID) throws -> TensorID {
        if let made = dequantized[tensor.index] { return made }
        let original = source.tensors[tensor.index]
        let made = appendTensor(TensorDefinition(name: unique(original.name + ".dequantized"), shape: original.shape))
        file.nodes.append(NodeDefinition(op: .dequantize, inputs: [tensor], outputs: [made]))
        dequantized[tensor.index] = made
        return made
    }

    private func quantization(of tensor: TensorID) throws -> ActivationQuantization {
        guard let q = activations[tensor.index] else {
            throw ExportError.invalidArgument("activation '\(source.tensors[tensor.index].name)' was not calibrated")
        }
        return q
    }

    private mutating func appendTensor(_ tensor: TensorDefinition) -> TensorID {
        var tensor = tensor
        tensor.name = unique(tensor.name)
        names.insert(tensor.name)
        file.tensors.append(tensor)
        return TensorID(rawValue: UInt32(file.tensors.count - 1))
    }

    private func unique(_ name: String) -> String {
        var candidate = name, suffix = 2
        while names.contains(candidate) {
            candidate = "\(name)_\(suffix)"
            suffix += 1
        }
        return candidate
    }

    private static func role(of node: NodeDefinition) throws -> Int8Role {
        switch Int8Role.of(node) {
        case .success(let role): return role
        case .failure(let why): throw why
        }
    }

    /// "conv2d 'conv1'": a node by op and output name.
    static func describe(_ node: NodeDefinition, in file: ModelFile) -> String {
        "\(node.op.name) '\(file.tensors[node.outputs[0].index].name)'"
    }
}
