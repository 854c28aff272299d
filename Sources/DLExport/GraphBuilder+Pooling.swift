/// Pooling. Output sizes come from the C runtime's `dk_pool2d_infer` (PyTorch's rule).
extension GraphBuilder {
    /// Max pooling; `stride` defaults to the kernel. Padding counts as -inf.
    public mutating func maxPool2d(_ x: TensorID, kernel: Size2D, stride: Size2D? = nil,
                                   padding: Padding2D = (0, 0, 0, 0), ceilMode: Bool = false,
                                   name: String? = nil) throws -> TensorID
    {
        try pool2d(.maxPool2d, x, kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode,
                   countIncludePad: true, name: name)
    }

    /// Average pooling; `stride` defaults to the kernel. With
    /// `countIncludePad` the divisor counts padded positions (PyTorch's default).
    public mutating func avgPool2d(_ x: TensorID, kernel: Size2D, stride: Size2D? = nil,
                                   padding: Padding2D = (0, 0, 0, 0), ceilMode: Bool = false,
                                   countIncludePad: Bool = true, name: String? = nil) throws -> TensorID
    {
        try pool2d(.avgPool2d, x, kernel: kernel, stride: stride ?? kernel, padding: padding, ceilMode: ceilMode,
                   countIncludePad: countIncludePad, name: name)
    }

    /// Mean over H and W: [N, C, H, W] -> [N, C, 1, 1].
    public mutating func globalAvgPool(_ x: TensorID, name: String? = nil) throws -> TensorID {
        let outputName = uniqueName(name, op: .globalAvgPool)
        let node = describe(.globalAvgPool, outputName)
        let input = try operand(x, "input", of: node)
        try requireRank(input, 4, "input", of: node)
        return try appendNode(.globalAvgPool, inputs: [x], attributes: [],
                              outputShape: [input.shape[0], input.shape[1], 1, 1], name: outputName)
    }

    /// Kernel and strides are always written: the two ops' stride defaults
    /// differ between frameworks, so the file never relies on one.
    private mutating func pool2d(_ op: OpCode, _ x: TensorID, kernel: Size2D, stride: Size2D, padding: Padding2D,
                                 ceilMode: Bool, countIncludePad: Bool, name: String?) throws -> TensorID
    {
        let outputName = uniqueName(name, op: op)
        let node = describe(op, outputName)
        let input = try operand(x, "input", of: node)
        try requireRank(input, 4, "input", of: node)
        guard kernel.h >= 1, kernel.w >= 1, stride.h >= 1, stride.w >= 1 else {
            throw ExportError.shape("\(node): kernel \(kernel.h)x\(kernel.w) and stride \(stride.h)x\(stride.w) must be >= 1")
        }
        let window = ShapeInference.Window(kernel: kernel, stride: stride, padding: padding)
        let (ho, wo) = try ShapeInference.pool2d(input: input.shape, window: window, ceilMode: ceilMode,
                                                 countIncludePad: countIncludePad, what: node)
        var attributes: [Attribute] = [.ints(.kernel, [kernel.h, kernel.w]), .ints(.strides, [stride.h, stride.w])]
        if padding != (0, 0, 0, 0) {
            attributes.append(.ints(.pads, [padding.top, padding.left, padding.bottom, padding.right]))
        }
        if ceilMode { attributes.append(.int(.ceilMode, 1)) }
        if op == .avgPool2d, !countIncludePad { attributes.append(.int(.countIncludePad, 0)) }
        return try appendNode(op, inputs: [x], attributes: attributes,
                              outputShape: [input.shape[0], input.shape[1], ho, wo], name: outputName)
    }
}
