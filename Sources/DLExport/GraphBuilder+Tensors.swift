/// Ops that combine or rearrange tensors without arithmetic on their values
/// (plus `add`, the residual connection).
extension GraphBuilder {
    /// `y = act(a + b)` for two tensors of equal shape (no broadcasting in v1).
    public mutating func add(_ a: TensorID, _ b: TensorID, activation: Activation = .none, name: String? = nil)
        throws -> TensorID
    {
        let outputName = uniqueName(name, op: .add)
        let node = describe(.add, outputName)
        let lhs = try operand(a, "first input", of: node)
        let rhs = try operand(b, "second input", of: node)
        guard lhs.shape == rhs.shape else {
            throw ExportError.shape("\(node): '\(lhs.name)' \(lhs.shape) and '\(rhs.name)' \(rhs.shape) differ in shape")
        }
        return try appendNode(.add, inputs: [a, b], attributes: activation.attributes, outputShape: lhs.shape,
                              name: outputName)
    }

    /// Concatenation along `axis` (1, channels, by default; negative counts from
    /// the end and is stored normalized). Other dimensions must agree.
    public mutating func concat(_ xs: [TensorID], axis: Int = 1, name: String? = nil) throws -> TensorID {
        let outputName = uniqueName(name, op: .concat)
        let node = describe(.concat, outputName)
        guard (1...ModelFormat.Caps.nodeInputs).contains(xs.count) else {
            throw ExportError.invalidArgument("\(node): takes 1 to \(ModelFormat.Caps.nodeInputs) inputs, got \(xs.count)")
        }
        let parts = try xs.enumerated().map { try operand($0.element, "input \($0.offset)", of: node) }
        let first = parts[0]
        let dim = try normalizeAxis(axis, rank: first.shape.count, of: node)
        var shape = first.shape
        for part in parts.dropFirst() {
            guard part.shape.count == shape.count,
                part.shape.indices.allSatisfy({ $0 == dim || part.shape[$0] == first.shape[$0] })
            else {
                throw ExportError.shape(
                    "\(node): '\(part.name)' \(part.shape) does not match '\(first.name)' \(first.shape) "
                        + "outside axis \(dim)")
            }
            shape[dim] += part.shape[dim]
        }
        return try appendNode(.concat, inputs: xs, attributes: [.int(.axis, dim)], outputShape: shape,
                              name: outputName)
    }

    /// Reshape to `shape`: one entry may be -1 (inferred), an entry 0 copies
    /// the input's dimension at that index. The element count must not change.
    public mutating func reshape(_ x: TensorID, shape target: [Int], name: String? = nil) throws -> TensorID {
        let outputName = uniqueName(name, op: .reshape)
        let node = describe(.reshape, outputName)
        let input = try operand(x, "input", of: node)
        guard (1...ModelFormat.Caps.rank).contains(target.count) else {
            throw ExportError.shape("\(node): target rank \(target.count) must be 1 to \(ModelFormat.Caps.rank)")
        }
        guard target.filter({ $0 == -1 }).count <= 1, target.allSatisfy({ $0 >= -1 }) else {
            throw ExportError.shape("\(node): target \(target) may hold one -1 and no other negative entry")
        }
        var shape: [Int] = []
        for (index, entry) in target.enumerated() {
            if entry == 0 {
                guard index < input.shape.count else {
                    throw ExportError.shape("\(node): entry \(index) is 0 but the input \(input.shape) has no dimension \(index)")
                }
                shape.append(input.shape[index])
            } else {
                shape.append(entry)
            }
        }
        let known = shape.filter { $0 != -1 }.reduce(1, *)
        if let hole = shape.firstIndex(of: -1) {
            guard known > 0, input.elementCount % known == 0 else {
                throw ExportError.shape("\(node): cannot reshape \(input.shape) to \(target)")
            }
            shape[hole] = input.elementCount / known
        }
        guard shape.reduce(1, *) == input.elementCount else {
            throw ExportError.shape(
                "\(node): cannot reshape \(input.shape) (\(input.elementCount) elements) to \(target)")
        }
        return try appendNode(.reshape, inputs: [x], attributes: [.ints(.shape, target)], outputShape: shape,
                              name: outputName)
    }

    /// [d0, ..., dn] -> [prod(d < axis), prod(d >= axis)]; axis 0...rank, default 1.
    public mutating func flatten(_ x: TensorID, axis: Int = 1, name: String? = nil) throws -> TensorID {
        let outputName = uniqueName(name, op: .flatten)
        let node = describe(.flatten, outputName)
        let input = try operand(x, "input", of: node)
        let dim = try normalizeAxis(axis, rank: input.shape.count, inclusive: true, of: node)
        let shape = [input.shape[..<dim].reduce(1, *), input.shape[dim...].reduce(1, *)]
        return try appendNode(.flatten, inputs: [x], attributes: [.int(.axis, dim)], outputShape: shape,
                              name: outputName)
    }

    /// Constant padding of an [N, C, H, W] tensor. `pads` holds 8 values:
    /// the (n, c, h, w) begin paddings, then the (n, c, h, w) end paddings.
    public mutating func pad(_ x: TensorID, pads: [Int], value: Float = 0, name: String? = nil) throws -> TensorID {
        let outputName = uniqueName(name, op: .pad)
        let node = describe(.pad, outputName)
        let input = try operand(x, "input", of: node)
        try requireRank(input, 4, "input", of: node)
        guard pads.count == 8, pads.allSatisfy({ $0 >= 0 }) else {
            throw ExportError.invalidArgument("\(node): pads must be 8 values >= 0 (n, c, h, w begin then end), got \(pads)")
        }
        let shape = (0..<4).map { input.shape[$0] + pads[$0] + pads[$0 + 4] }
        return try appendNode(.pad, inputs: [x], attributes: [.ints(.pads, pads), .float(.value, value)],
                              outputShape: shape, name: outputName)
    }
}
