/// Standalone elementwise activations and softmax: same shape in and out.
extension GraphBuilder {
    public mutating func relu(_ x: TensorID, name: String? = nil) throws -> TensorID {
        try unary(.relu, x, attributes: [], name: name)
    }

    /// `y = x > 0 ? x : alpha * x`. `alpha` is always written (it has a default only in the spec).
    public mutating func leakyRelu(_ x: TensorID, alpha: Float = 0.01, name: String? = nil) throws -> TensorID {
        try unary(.leakyRelu, x, attributes: [.float(.alpha, alpha)], name: name)
    }

    public mutating func sigmoid(_ x: TensorID, name: String? = nil) throws -> TensorID {
        try unary(.sigmoid, x, attributes: [], name: name)
    }

    public mutating func tanh(_ x: TensorID, name: String? = nil) throws -> TensorID {
        try unary(.tanh, x, attributes: [], name: name)
    }

    /// Softmax over `axis` (negative counts from the end; -1, the last axis, by default).
    public mutating func softmax(_ x: TensorID, axis: Int = -1, name: String? = nil) throws -> TensorID {
        let outputName = uniqueName(name, op: .softmax)
        let input = try operand(x, "input", of: describe(.softmax, outputName))
        _ = try normalizeAxis(axis, rank: input.shape.count, of: describe(.softmax, outputName))
        return try appendNode(.softmax, inputs: [x], attributes: [.int(.axis, axis)], outputShape: input.shape,
                              name: outputName)
    }

    /// A one-input op whose output has its input's shape.
    mutating func unary(_ op: OpCode, _ x: TensorID, attributes: [Attribute], name: String?) throws -> TensorID {
        let outputName = uniqueName(name, op: op)
        let input = try operand(x, "input", of: describe(op, outputName))
        return try appendNode(op, inputs: [x], attributes: attributes, outputShape: input.shape, name: outputName)
    }
}
