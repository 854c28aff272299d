/// Normalization layers.
extension GraphBuilder {
    /// Inference batch norm over dim 1 of `x` [N, C, ...]:
    /// `y = (x - mean) / sqrt(variance + epsilon) * scale + bias`, each a constant [C].
    public mutating func batchNorm(_ x: TensorID, scale: TensorID, bias: TensorID, mean: TensorID,
                                   variance: TensorID, epsilon: Float = 1e-5, name: String? = nil) throws -> TensorID
    {
        let outputName = uniqueName(name, op: .batchNorm)
        let node = describe(.batchNorm, outputName)
        let input = try operand(x, "input", of: node)
        guard input.shape.count >= 2 else {
            throw ExportError.shape("\(node): input '\(input.name)' must be [N, C, ...], has shape \(input.shape)")
        }
        guard epsilon.isFinite, epsilon >= 0 else {
            throw ExportError.invalidArgument("\(node): epsilon \(epsilon) must be finite and >= 0")
        }
        let channels = input.shape[1]
        for (id, role) in [(scale, "scale"), (bias, "bias"), (mean, "mean"), (variance, "variance")] {
            try requireShape(try constantOperand(id, role, of: node), [channels], role, of: node)
        }
        return try appendNode(.batchNorm, inputs: [x, scale, bias, mean, variance],
                              attributes: [.float(.epsilon, epsilon)], outputShape: input.shape, name: outputName)
    }

    /// Local response normalization across channels, PyTorch's definition:
    /// `y = x / (k + alpha/size * sum x^2)^beta` over `size` neighbouring channels.
    public mutating func lrn(_ x: TensorID, size: Int, alpha: Float = 1e-4, beta: Float = 0.75, k: Float = 1,
                             name: String? = nil) throws -> TensorID
    {
        let outputName = uniqueName(name, op: .lrn)
        let node = describe(.lrn, outputName)
        let input = try operand(x, "input", of: node)
        try requireRank(input, 4, "input", of: node)
        guard size >= 1 else { throw ExportError.invalidArgument("\(node): size \(size) must be >= 1") }
        return try appendNode(
            .lrn, inputs: [x],
            attributes: [.int(.size, size), .float(.alpha, alpha), .float(.beta, beta), .float(.lrnK, k)],
            outputShape: input.shape, name: outputName)
    }
}
