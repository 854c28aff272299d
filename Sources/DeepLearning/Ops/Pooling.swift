/// Max, average and global average pooling over NCHW tensors, PyTorch's
/// semantics (`F.max_pool2d`, `F.avg_pool2d`, `F.adaptive_avg_pool2d(x, 1)`),
/// plus asymmetric padding. Output sizes come from `dk_pool2d_infer`.

/// Max pooling; `stride` defaults to the kernel. Padding counts as -inf.
/// The gradient goes to each window's argmax (PyTorch's choice on ties:
/// the first maximum in row-major order).
public func maxPool2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, kernel: Size2d, stride: Size2d? = nil,
                                            padding: Padding2d = 0, ceilMode: Bool = false) -> Tensor<Scalar> {
    let g = poolGeometry("maxPool2d", x, kernel, stride, padding, ceilMode, countIncludePad: true)
    // dk_max_pool2d_backward keeps 32-bit argmax indices within a plane.
    precondition(g.h * g.w < 1 << 31, "maxPool2d: a plane of \(g.h) x \(g.w) is too large")
    let y = Tensor.written(g.outputShape) { y in x.withPointer { Scalar.maxPool2dForward(g, x: $0, y: y) } }
    let saved = x.detached()
    return Tensor.record("maxPool2d", y, inputs: [x]) { dy in
        [Tensor.written(g.inputShape) { dx in
            saved.withPointer { xp in dy.withPointer { Scalar.maxPool2dBackward(g, x: xp, dy: $0, dx: dx) } }
        }]
    }
}

/// Average pooling; `stride` defaults to the kernel. With `countIncludePad`
/// the divisor counts padded positions (clipped to the padded input, as
/// PyTorch), else only input positions.
public func avgPool2d<Scalar: TensorScalar>(_ x: Tensor<Scalar>, kernel: Size2d, stride: Size2d? = nil,
                                            padding: Padding2d = 0, ceilMode: Bool = false,
                                            countIncludePad: Bool = true) -> Tensor<Scalar> {
    let g = poolGeometry("avgPool2d", x, kernel, stride, padding, ceilMode, countIncludePad: countIncludePad)
    let y = Tensor.written(g.outputShape) { y in x.withPointer { Scalar.avgPool2dForward(g, x: $0, y: y) } }
    return Tensor.record("avgPool2d", y, inputs: [x]) { dy in
        [Tensor.written(g.inputShape) { dx in dy.withPointer { Scalar.avgPool2dBackward(g, dy: $0, dx: dx) } }]
    }
}

/// The mean over every spatial position: [N, C, ...] -> [N, C, 1, ...]
/// (the spatial axes kept with extent 1, as `AdaptiveAvgPool2d(1)`).
public func globalAvgPool<Scalar: TensorScalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> {
    precondition(x.rank >= 3, "globalAvgPool: expected [N, C, spatial...], got \(x.shape)")
    let (n, c, hw) = channelSplit(x.shape, "globalAvgPool")
    let outShape = [n, c] + [Int](repeating: 1, count: x.rank - 2)
    let inShape = x.shape
    let y = Tensor.written(outShape) { y in x.withPointer { Scalar.globalAvgPoolForward(n: n, c: c, hw: hw, x: $0, y: y) } }
    return Tensor.record("globalAvgPool", y, inputs: [x]) { dy in
        [Tensor.written(inShape) { dx in dy.withPointer { Scalar.globalAvgPoolBackward(n: n, c: c, hw: hw, dy: $0, dx: dx) } }]
    }
}

private func poolGeometry<Scalar>(_ op: String, _ x: Tensor<Scalar>, _ kernel: Size2d, _ stride: Size2d?,
                                  _ padding: Padding2d, _ ceilMode: Bool, countIncludePad: Bool) -> Pool2dGeometry {
    precondition(x.rank == 4, "\(op): input must be [N, C, H, W], got \(x.shape)")
    guard let g = Pool2dGeometry(input: x.shape, kernel: kernel, stride: stride ?? kernel, padding: padding,
                                 ceilMode: ceilMode, countIncludePad: countIncludePad) else {
        preconditionFailure("\(op): impossible configuration: input \(x.shape), kernel \(kernel), stride \(stride ?? kernel), padding \(padding), ceilMode \(ceilMode)")
    }
    return g
}
