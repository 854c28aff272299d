/// Fully connected layers.
extension GraphBuilder {
    /// `y = act(x · weightᵀ + bias)`: `x` [N, K], `weight` a constant [M, K]
    /// (PyTorch's `Linear` layout), `bias` a constant [M]. Output [N, M].
    public mutating func dense(_ x: TensorID, weight: TensorID, bias: TensorID? = nil,
                               activation: Activation = .none, name: String? = nil) throws -> TensorID
    {
        let outputName = uniqueName(name, op: .dense)
        let node = describe(.dense, outputName)
        let input = try operand(x, "input", of: node)
        let w = try constantOperand(weight, "weight", of: node)
        try requireRank(input, 2, "input", of: node)
        try requireRank(w, 2, "weight", of: node)
        guard w.shape[1] == input.shape[1] else {
            throw ExportError.shape("\(node): input \(input.shape) needs weight [M, \(input.shape[1])], has \(w.shape)")
        }
        let m = w.shape[0]
        if let bias { try requireShape(try constantOperand(bias, "bias", of: node), [m], "bias", of: node) }
        return try appendNode(.dense, inputs: [x, weight, bias], attributes: activation.attributes,
                              outputShape: [input.shape[0], m], name: outputName)
    }
}
