import DeepLearning

// The model zoo's own layers.

/// Adaptive average pooling at the graph's fixed input size: nothing when
/// the sizes already agree, `global_avg_pool` for 1 x 1, one `avg_pool2d`
/// when the sizes divide; otherwise the pooling as the linear map it is: a
/// constant [oh·ow, H·W] matrix of window weights applied by `dense` to each
/// channel's plane (reshape [N·C, H·W], dense, reshape [N, C, oh, ow]). That
/// covers windows of unequal size and outputs larger than the input
/// (AlexNet's 6 x 6 pool on a small image), exactly as the engine averages.
extension AdaptiveAvgPool2d: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        let shape = try context.shape(of: input)
        guard shape.count == 4 else { throw context.unsupported(self, "input \(shape) is not [N, C, H, W]") }
        let (c, h, w, oh, ow) = (shape[1], shape[2], shape[3], outputSize.height, outputSize.width)
        if h == oh && w == ow { return input }
        if oh == 1 && ow == 1 { return try context.emit { builder, name in try builder.globalAvgPool(input, name: name) } }
        if h % oh == 0 && w % ow == 0 {
            return try context.emit { builder, name in
                try builder.avgPool2d(input, kernel: (h / oh, w / ow), stride: (h / oh, w / ow), name: name)
            }
        }
        let matrix = try context.constant("window_weights", shape: [oh * ow, h * w],
                                          values: Self.windowWeights(h: h, w: w, oh: oh, ow: ow))
        let planes = try context.emit("planes") { builder, name in try builder.reshape(input, shape: [-1, h * w], name: name) }
        let pooled = try context.emit("pooled") { builder, name in try builder.dense(planes, weight: matrix, name: name) }
        return try context.emit { builder, name in try builder.reshape(pooled, shape: [-1, c, oh, ow], name: name) }
    }

    /// Row `i·ow + j` averages input rows ⌊i·H/oh⌋ ..< ⌈(i+1)·H/oh⌉ and the same columns (PyTorch's windows).
    static func windowWeights(h: Int, w: Int, oh: Int, ow: Int) -> [Float] {
        var weights = [Float](repeating: 0, count: oh * ow * h * w)
        for i in 0..<oh {
            let rows = (i * h / oh)..<(((i + 1) * h + oh - 1) / oh)
            for j in 0..<ow {
                let columns = (j * w / ow)..<(((j + 1) * w + ow - 1) / ow)
                let weight = 1 / Float(rows.count * columns.count)
                for y in rows {
                    for x in columns { weights[(i * ow + j) * h * w + y * w + x] = weight }
                }
            }
        }
        return weights
    }
}

/// The CIFAR ResNets' option A shortcut: a 1 x 1 max pool with the stride
/// (the `::s` subsampling, as the engine computes it), then `pad` with zero
/// channels on both sides.
extension ZeroPadShortcut: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        var x = input
        if stride > 1 {
            x = try context.emit("subsample") { builder, name in
                try builder.maxPool2d(input, kernel: (1, 1), stride: (stride, stride), name: name)
            }
        }
        guard padChannels > 0 else { return x }
        let source = x
        return try context.emit { builder, name in
            try builder.pad(source, pads: [0, padChannels, 0, 0, 0, padChannels, 0, 0], name: name)
        }
    }
}
