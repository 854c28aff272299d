/// Softmax and log-softmax along an axis, numerically stable (the maximum
/// is subtracted before exponentiating).
extension Tensor {
    public func softmax(alongAxis axis: Int = -1) -> Tensor {
        let a = Shape.normalize(axis, rank: rank)
        let y = softmaxRaw(axis: a, log: false)
        // dx = y * (g - sum(g * y))
        return Tensor.record("softmax", y, inputs: [self]) { g in
            let gy = g.zipped(.multiply, y)
            return [gy.zipped(.subtract, y.zipped(.multiply, gy.summed(axes: [a])))]
        }
    }

    public func logSoftmax(alongAxis axis: Int = -1) -> Tensor {
        let a = Shape.normalize(axis, rank: rank)
        let y = softmaxRaw(axis: a, log: true)
        // dx = g - softmax * sum(g)
        return Tensor.record("logSoftmax", y, inputs: [self]) { g in
            [g.zipped(.subtract, y.mapped(.exp).zipped(.multiply, g.summed(axes: [a])))]
        }
    }

    func softmaxRaw(axis: Int, log: Bool) -> Tensor {
        let (outer, extent, inner) = Shape.split(shape, at: axis)
        return Tensor(shape: shape) { y in
            scalars.withUnsafeBufferPointer { x in
                Scalar.softmax(x.baseAddress!, outer: outer, axis: extent, inner: inner, y.baseAddress!, log: log)
            }
        }
    }
}
