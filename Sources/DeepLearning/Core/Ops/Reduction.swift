extension Tensor {
    /// The sum over `axes` (negative axes count from the end); `keepDims`
    /// keeps them as extent 1. No axes: a copy.
    public func sum(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        let axes = normalizedAxes(axes)
        let kept = shape.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        let outShape = keepDims ? kept : shape.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        let y = summed(axes: axes).reshapedRaw(outShape)
        let inShape = shape
        return Tensor.record("sum", y, inputs: [self]) { g in [g.reshapedRaw(kept).expanded(to: inShape)] }
    }

    public func sum(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        sum(alongAxes: [axis], keepDims: keepDims)
    }

    /// The sum of all elements, as a rank-0 tensor.
    public func sum() -> Tensor {
        sum(alongAxes: Array(0..<rank))
    }

    /// The mean over `axes`.
    public func mean(alongAxes axes: [Int], keepDims: Bool = false) -> Tensor {
        let n = normalizedAxes(axes).reduce(1) { $0 * shape[$1] }
        return sum(alongAxes: axes, keepDims: keepDims) / Scalar(n)
    }

    public func mean(alongAxis axis: Int, keepDims: Bool = false) -> Tensor {
        mean(alongAxes: [axis], keepDims: keepDims)
    }

    /// The mean of all elements, as a rank-0 tensor.
    public func mean() -> Tensor {
        mean(alongAxes: Array(0..<rank))
    }

    /// The maximum along `axis` and, for each, the index along `axis` where
    /// it first occurs (`indices` is in row-major order of `values`' shape).
    /// The gradient flows to that element only.
    public func max(alongAxis axis: Int, keepDims: Bool = false) -> (values: Tensor, indices: [Int]) {
        let axis = Shape.normalize(axis, rank: rank)
        let (outer, extent, inner) = Shape.split(shape, at: axis)
        precondition(extent > 0, "max over an empty axis")
        var kept = shape
        kept[axis] = 1
        var indices = [Int](repeating: 0, count: outer * inner)
        var values = Tensor(shape: kept) { v in
            scalars.withUnsafeBufferPointer { x in
                indices.withUnsafeMutableBufferPointer { i in
                    Scalar.maxAlongAxis(x.baseAddress!, outer: outer, axis: extent, inner: inner,
                                        values: v.baseAddress!, indices: i.baseAddress!)
                }
            }
        }
        if !keepDims { values = values.reshapedRaw(shape.enumerated().filter { $0.offset != axis }.map(\.element)) }
        let inShape = shape
        let argmax = indices
        values = Tensor.record("max", values, inputs: [self]) { g in
            var dx = Tensor.zeros(inShape)
            dx.scalars.withUnsafeMutableBufferPointer { d in
                g.scalars.withUnsafeBufferPointer { gv in
                    for o in 0..<outer {
                        for j in 0..<inner {
                            d[(o * extent + argmax[o * inner + j]) * inner + j] = gv[o * inner + j]
                        }
                    }
                }
            }
            return [dx]
        }
        return (values, indices)
    }

    /// The index of the maximum along `axis` (the class prediction of logits).
    public func argmax(alongAxis axis: Int) -> [Int] {
        withNoGrad { max(alongAxis: axis).indices }
    }

    func normalizedAxes(_ axes: [Int]) -> [Int] {
        let result = Set(axes.map { Shape.normalize($0, rank: rank) }).sorted()
        return result
    }

    /// Sums over `axes` (sorted, distinct), keeping them as extent 1; no graph.
    /// Runs of adjacent axes are merged, then each is reduced as the middle
    /// axis of [outer, axis, inner]: contiguous row sums when inner == 1,
    /// else accumulation of whole rows.
    func summed(axes: [Int]) -> Tensor {
        var kept = shape
        for a in axes { kept[a] = 1 }
        if axes.isEmpty { return detached() }
        // Merge adjacent reduced axes into groups [first, last].
        var groups: [(Int, Int)] = []
        for a in axes {
            if let last = groups.last, last.1 + 1 == a { groups[groups.count - 1].1 = a } else { groups.append((a, a)) }
        }
        var current = self.detached()
        var currentShape = shape
        for (first, last) in groups.reversed() {
            let outer = Shape.count(Array(currentShape[..<first]))
            let extent = Shape.count(Array(currentShape[first...last]))
            let inner = Shape.count(Array(currentShape[(last + 1)...]))
            for a in first...last { currentShape[a] = 1 }
            let source = current
            current = Tensor(shape: currentShape) { y in
                source.scalars.withUnsafeBufferPointer { xb in
                    let x = xb.baseAddress!, yp = y.baseAddress!
                    if inner == 1 {
                        for o in 0..<outer { yp[o] = Scalar.sum(x + o * extent, count: extent) }
                    } else {
                        for o in 0..<outer {
                            let yo = yp + o * inner, xo = x + o * extent * inner
                            if extent == 0 { Scalar.fill(yo, 0, count: inner); continue }
                            Scalar.copy(xo, stride: 1, to: yo, count: inner)
                            for e in 1..<Swift.max(extent, 1) {
                                Scalar.zip(.add, yo, aStride: 1, xo + e * inner, bStride: 1, yo, count: inner)
                            }
                        }
                    }
                }
            }
        }
        return current
    }
}
