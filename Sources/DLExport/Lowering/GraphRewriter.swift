/// Rewrites of a lowered graph that leave its outputs unchanged (up to
/// float rounding) and make it cheaper to run:
///
/// - `foldBatchNorms`: a `batch_norm` whose input comes only from a conv2d,
///   conv_transpose2d (ungrouped) or dense node is folded into that node's weights and bias:
///   with `s = scale / sqrt(var + eps)`, `W' = W · s` per output channel and
///   `b' = (b - mean) · s + shift`, computed in Double.
/// - `fuseActivations`: a relu, leaky_relu, sigmoid or tanh whose input
///   comes only from a conv2d, conv_transpose2d, dense or add node without an
///   activation becomes that node's fused `activation` attribute.
/// - `compacted()`: the nodes that survive, and only the tensors they use.
///
/// "Only": the intermediate tensor must have exactly one consumer and not be
/// a graph output, or its value would change for someone else. The
/// surviving node keeps its output tensor; references to the removed
/// node's output are redirected to it.
struct GraphRewriter {
    private(set) var file: ModelFile
    private var removed = Set<Int>()
    /// For each tensor index: the node producing it.
    private var producer: [Int: Int] = [:]
    /// For each tensor index: node inputs and graph outputs referring to it.
    private var uses: [Int: Int] = [:]

    init(_ file: ModelFile) {
        self.file = file
        for (index, node) in file.nodes.enumerated() {
            for output in node.outputs { producer[output.index] = index }
            for input in node.inputs.compactMap({ $0 }) { uses[input.index, default: 0] += 1 }
        }
        for output in file.outputs { uses[output.index, default: 0] += 1 }
    }

    /// Folds every foldable batch norm; returns how many.
    @discardableResult
    mutating func foldBatchNorms() throws -> Int {
        var folded = 0
        for index in file.nodes.indices where file.nodes[index].op == .batchNorm && !removed.contains(index) {
            let norm = file.nodes[index]
            guard norm.inputs.count == 5, let x = norm.inputs[0], let p = soleProducer(of: x),
                [.conv2d, .dense, .convTranspose2d].contains(file.nodes[p].op), file.nodes[p].attributes.activation == nil,
                let weight = file.nodes[p].inputs[1], uses[weight.index] == 1,
                file.nodes[p].op != .convTranspose2d || file.nodes[p].attributes.int(.groups) ?? 1 == 1
            else { continue }
            let constants = norm.inputs[1...4].compactMap { $0 }
            guard constants.count == 4 else { continue }
            let scale = try floats(of: constants[0]), shift = try floats(of: constants[1])
            let mean = try floats(of: constants[2]), variance = try floats(of: constants[3])
            let epsilon = Double(norm.attributes.float(.epsilon) ?? 1e-5)
            let channels = scale.count
            var factors = [Double](repeating: 0, count: channels)
            for c in 0..<channels { factors[c] = Double(scale[c]) / (Double(variance[c]) + epsilon).squareRoot() }
            var w = try floats(of: weight)
            // conv2d and dense weights lead with the output channel; conv_transpose2d's
            // [C, M, kh, kw] has it second, so each input channel's block repeats the M channels.
            let transposed = file.nodes[p].op == .convTranspose2d
            let perChannel = transposed ? file.tensors[weight.index].shape.dropFirst(2).reduce(1, *) : w.count / channels
            let blocks = transposed ? file.tensors[weight.index].shape[0] : 1
            for block in 0..<blocks {
                let origin = block * channels * perChannel
                for c in 0..<channels {
                    let range = (origin + c * perChannel)..<(origin + (c + 1) * perChannel)
                    for i in range { w[i] = Float(Double(w[i]) * factors[c]) }
                }
            }
            let oldBias: TensorID? = file.nodes[p].inputs.count > 2 ? file.nodes[p].inputs[2] : nil
            let b: [Float] = try oldBias.map { try floats(of: $0) } ?? [Float](repeating: 0, count: channels)
            var newBias = [Float](repeating: 0, count: channels)
            for c in 0..<channels {
                let centered: Double = Double(b[c]) - Double(mean[c])
                newBias[c] = Float(centered * factors[c] + Double(shift[c]))
            }
            setData(weight, w)
            if let oldBias, uses[oldBias.index] == 1 {
                setData(oldBias, newBias)
            } else {
                let weightName = file.tensors[weight.index].name
                let biasName = weightName.hasSuffix(".weight") ? weightName.dropLast(".weight".count) + ".bias" : weightName + ".bias"
                let bias = appendConstant(named: biasName, newBias)
                if let oldBias { uses[oldBias.index, default: 0] -= 1 }
                if file.nodes[p].inputs.count < 3 { file.nodes[p].inputs.append(nil) }
                file.nodes[p].inputs[2] = bias
                uses[bias.index] = 1
            }
            bypass(index, keeping: x)
            folded += 1
        }
        return folded
    }

    /// Fuses every fusable activation; returns how many.
    @discardableResult
    mutating func fuseActivations() -> Int {
        var fused = 0
        let activations: [OpCode: Activation] = [.relu: .relu, .sigmoid: .sigmoid, .tanh: .tanh]
        for index in file.nodes.indices where !removed.contains(index) {
            let node = file.nodes[index]
            let activation: Activation
            if node.op == .leakyRelu {
                activation = .leakyRelu(alpha: node.attributes.float(.alpha) ?? 0.01)
            } else if let simple = activations[node.op] {
                activation = simple
            } else {
                continue
            }
            guard let x = node.inputs.first ?? nil, let p = soleProducer(of: x),
                [.conv2d, .convTranspose2d, .dense, .add].contains(file.nodes[p].op),
                file.nodes[p].attributes.activation == nil
            else { continue }
            file.nodes[p].attributes += activation.attributes
            bypass(index, keeping: x)
            fused += 1
        }
        return fused
    }

    /// The graph without the removed nodes and without tensors nothing refers
    /// to any more; tensor ids are renumbered in table order.
    func compacted() -> ModelFile {
        let nodes = file.nodes.indices.filter { !removed.contains($0) }.map { file.nodes[$0] }
        var referenced = Set(file.inputs.map(\.index) + file.outputs.map(\.index))
        for node in nodes {
            referenced.formUnion(node.inputs.compactMap { $0?.index })
            referenced.formUnion(node.outputs.map(\.index))
        }
        var newID: [Int: TensorID] = [:]
        var tensors: [TensorDefinition] = []
        for (index, tensor) in file.tensors.enumerated() where referenced.contains(index) {
            newID[index] = TensorID(rawValue: UInt32(tensors.count))
            tensors.append(tensor)
        }
        func map(_ id: TensorID) -> TensorID { newID[id.index]! }
        var result = file
        result.tensors = tensors
        result.inputs = file.inputs.map(map)
        result.outputs = file.outputs.map(map)
        result.nodes = nodes.map { node in
            var node = node
            node.inputs = node.inputs.map { $0.map(map) }
            node.outputs = node.outputs.map(map)
            return node
        }
        return result
    }

    // MARK: - internals

    /// The node producing `tensor` when that node has one output and the
    /// tensor's only use is the node being rewritten.
    private func soleProducer(of tensor: TensorID) -> Int? {
        guard uses[tensor.index] == 1, let p = producer[tensor.index], !removed.contains(p),
            file.nodes[p].outputs.count == 1
        else { return nil }
        return p
    }

    /// Removes node `index` (one input `kept`, one output) and points every
    /// reference to its output at `kept`.
    private mutating func bypass(_ index: Int, keeping kept: TensorID) {
        let output = file.nodes[index].outputs[0]
        removed.insert(index)
        for input in file.nodes[index].inputs.compactMap({ $0 }) { uses[input.index, default: 0] -= 1 }
        for n in file.nodes.indices where !removed.contains(n) {
            file.nodes[n].inputs = file.nodes[n].inputs.map { $0 == output ? kept : $0 }
        }
        file.outputs = file.outputs.map { $0 == output ? kept : $0 }
        uses[kept.index, default: 0] += uses[output.index, default: 0]
        uses[output.index] = 0
    }

    private func floats(of tensor: TensorID) throws -> [Float] {
        let definition = file.tensors[tensor.index]
        guard definition.dtype == .f32, let data = definition.data else {
            throw ExportError.invalidArgument("'\(definition.name)' is not an f32 constant")
        }
        return GraphBuilder.floats(littleEndian: data)
    }

    private mutating func setData(_ tensor: TensorID, _ values: [Float]) {
        file.tensors[tensor.index].data = GraphBuilder.littleEndianBytes(values)
    }

    private mutating func appendConstant(named name: String, _ values: [Float]) -> TensorID {
        var unique = name
        var suffix = 2
        let names = Set(file.tensors.map(\.name))
        while names.contains(unique) {
            unique = "\(name)_\(suffix)"
            suffix += 1
        }
        file.tensors.append(TensorDefinition(name: unique, shape: [values.count], data: GraphBuilder.littleEndianBytes(values)))
        return TensorID(rawValue: UInt32(file.tensors.count - 1))
    }
}

extension [Attribute] {
    /// The fused activation code, nil when absent or 0 (none).
    var activation: Int64? {
        guard case .i64(let values)? = first(where: { $0.key == .activation })?.value, let code = values.first, code != 0
        else { return nil }
        return code
    }

    func int(_ key: AttributeKey) -> Int? {
        guard case .i64(let values)? = first(where: { $0.key == key })?.value, let value = values.first else { return nil }
        return Int(value)
    }

    func float(_ key: AttributeKey) -> Float? {
        guard case .f32(let values)? = first(where: { $0.key == key })?.value else { return nil }
        return values.first
    }
}
