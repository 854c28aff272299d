/// Convolutions. Output sizes come from the C runtime's `dk_conv2d_infer` and
/// `dk_conv_transpose2d_infer`; channel bookkeeping (groups) is checked here.
extension GraphBuilder {
    /// 2-d convolution, NCHW. `weight` is a constant [M, C/groups, kh, kw],
    /// `bias` a constant [M]. Output [N, M, Ho, Wo].
    public mutating func conv2d(_ x: TensorID, weight: TensorID, bias: TensorID? = nil, stride: Size2D = (1, 1),
                                padding: Padding2D = (0, 0, 0, 0), dilation: Size2D = (1, 1), groups: Int = 1,
                                activation: Activation = .none, name: String? = nil) throws -> TensorID
    {
        let outputName = uniqueName(name, op: .conv2d)
        let node = describe(.conv2d, outputName)
        let input = try operand(x, "input", of: node)
        let w = try constantOperand(weight, "weight", of: node)
        try requireRank(input, 4, "input", of: node)
        try requireRank(w, 4, "weight", of: node)
        let (n, c, m) = (input.shape[0], input.shape[1], w.shape[0])
        guard groups >= 1, c % groups == 0, m % groups == 0, w.shape[1] * groups == c else {
            throw ExportError.shape(
                "\(node): input has \(c) channels and weight \(w.shape) with groups \(groups); "
                    + "need weight [M, C/groups, kh, kw] with C and M divisible by groups")
        }
        if let bias { try requireShape(try constantOperand(bias, "bias", of: node), [m], "bias", of: node) }
        let window = ShapeInference.Window(kernel: (w.shape[2], w.shape[3]), stride: stride, padding: padding,
                                           dilation: dilation)
        let (ho, wo) = try ShapeInference.conv2d(input: input.shape, outputChannels: m, groups: groups,
                                                 window: window, what: node)
        return try appendNode(
            .conv2d, inputs: [x, weight, bias],
            attributes: Self.convAttributes(window: window, groups: groups, activation: activation),
            outputShape: [n, m, ho, wo], name: outputName)
    }

    /// 2-d transposed convolution, NCHW. `weight` is a constant
    /// [C, M/groups, kh, kw] (PyTorch's layout), `bias` a constant [M].
    /// `outputPadding` must be smaller than the stride or the dilation.
    public mutating func convTranspose2d(_ x: TensorID, weight: TensorID, bias: TensorID? = nil,
                                         stride: Size2D = (1, 1), padding: Padding2D = (0, 0, 0, 0),
                                         outputPadding: Size2D = (0, 0), dilation: Size2D = (1, 1),
                                         groups: Int = 1, activation: Activation = .none, name: String? = nil)
        throws -> TensorID
    {
        let outputName = uniqueName(name, op: .convTranspose2d)
        let node = describe(.convTranspose2d, outputName)
        let input = try operand(x, "input", of: node)
        let w = try constantOperand(weight, "weight", of: node)
        try requireRank(input, 4, "input", of: node)
        try requireRank(w, 4, "weight", of: node)
        let (n, c) = (input.shape[0], input.shape[1])
        guard groups >= 1, c % groups == 0, w.shape[0] == c else {
            throw ExportError.shape(
                "\(node): input has \(c) channels and weight \(w.shape) with groups \(groups); "
                    + "need weight [C, M/groups, kh, kw] with C divisible by groups")
        }
        let m = w.shape[1] * groups
        if let bias { try requireShape(try constantOperand(bias, "bias", of: node), [m], "bias", of: node) }
        let window = ShapeInference.Window(kernel: (w.shape[2], w.shape[3]), stride: stride, padding: padding,
                                           dilation: dilation, outputPadding: outputPadding)
        let (ho, wo) = try ShapeInference.convTranspose2d(input: input.shape, outputChannels: m, groups: groups,
                                                          window: window, what: node)
        var attributes = Self.convAttributes(window: window, groups: groups, activation: activation)
        if outputPadding != (0, 0) { attributes.append(.ints(.outputPadding, [outputPadding.h, outputPadding.w])) }
        return try appendNode(.convTranspose2d, inputs: [x, weight, bias], attributes: attributes,
                              outputShape: [n, m, ho, wo], name: outputName)
    }

    /// Only non-default attributes are written: files stay small and readable,
    /// and the defaults are the spec's, not the writer's.
    static func convAttributes(window: ShapeInference.Window, groups: Int, activation: Activation) -> [Attribute] {
        var attributes: [Attribute] = []
        if window.stride != (1, 1) { attributes.append(.ints(.strides, [window.stride.h, window.stride.w])) }
        let p = window.padding
        if p != (0, 0, 0, 0) { attributes.append(.ints(.pads, [p.top, p.left, p.bottom, p.right])) }
        if window.dilation != (1, 1) { attributes.append(.ints(.dilations, [window.dilation.h, window.dilation.w])) }
        if groups != 1 { attributes.append(.int(.groups, groups)) }
        return attributes + activation.attributes
    }
}
