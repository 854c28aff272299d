/// The iteration behind broadcasting: an output shape is walked in blocks of
/// contiguous output elements over which each input is either contiguous
/// (stride 1) or one repeated value (stride 0), so each block is one kernel call.
enum Broadcast {
    /// Calls `body(offsetA, strideA, offsetB, strideB, offsetY, count)` for
    /// every block of `output`; `a` and `b` broadcast to `output`.
    static func forEachBlock(output: [Int], a: [Int], b: [Int],
                             _ body: (Int, Int, Int, Int, Int, Int) -> Void) {
        let rank = output.count
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        let sa = zip(Shape.strides(pa), pa).map { $1 == 1 ? 0 : $0 }
        let sb = zip(Shape.strides(pb), pb).map { $1 == 1 ? 0 : $0 }

        // The inner block: trailing axes where both inputs broadcast the same way.
        var inner = 1
        var axis = rank
        var pattern: (Bool, Bool)?
        while axis > 0 {
            let d = output[axis - 1]
            if d != 1 {
                let p = (pa[axis - 1] == 1, pb[axis - 1] == 1)
                if let q = pattern, q != p { break }
                pattern = p
                inner *= d
            }
            axis -= 1
        }
        let strideA = pattern?.0 == true ? 0 : 1
        let strideB = pattern?.1 == true ? 0 : 1
        let outerShape = Array(output[..<axis])
        let outerCount = Shape.count(outerShape)
        if inner == 0 || outerCount == 0 { return }

        var index = [Int](repeating: 0, count: axis)
        var offA = 0, offB = 0
        for o in 0..<outerCount {
            body(offA, strideA, offB, strideB, o * inner, inner)
            // Advance the outer multi-index (odometer), updating the offsets.
            var d = axis - 1
            while d >= 0 {
                index[d] += 1
                offA += sa[d]
                offB += sb[d]
                if index[d] < outerShape[d] { break }
                offA -= sa[d] * index[d]
                offB -= sb[d] * index[d]
                index[d] = 0
                d -= 1
            }
        }
    }
}

extension Tensor {
    /// f(self, other) elementwise with broadcasting; no graph.
    func zipped(_ f: BinaryKernel<Scalar>, _ other: Tensor) -> Tensor {
        if shape == other.shape || other.count == 1 && rank >= other.rank || count == 1 && other.rank >= rank {
            let outShape = shape == other.shape ? shape : (other.count == 1 ? shape : other.shape)
            let sa = count == 1 && outShape != shape ? 0 : 1
            let sb = other.count == 1 && outShape != other.shape ? 0 : 1
            return Tensor(shape: outShape) { y in
                scalars.withUnsafeBufferPointer { a in
                    other.scalars.withUnsafeBufferPointer { b in
                        Scalar.zip(f, a.baseAddress!, aStride: sa, b.baseAddress!, bStride: sb, y.baseAddress!, count: y.count)
                    }
                }
            }
        }
        let outShape = Shape.broadcast(shape, other.shape)
        return Tensor(shape: outShape) { y in
            scalars.withUnsafeBufferPointer { a in
                other.scalars.withUnsafeBufferPointer { b in
                    Broadcast.forEachBlock(output: outShape, a: shape, b: other.shape) { oa, sa, ob, sb, oy, n in
                        Scalar.zip(f, a.baseAddress! + oa, aStride: sa, b.baseAddress! + ob, bStride: sb,
                                   y.baseAddress! + oy, count: n)
                    }
                }
            }
        }
    }

    /// f(self) elementwise; no graph.
    func mapped(_ f: UnaryKernel<Scalar>) -> Tensor {
        Tensor(shape: shape) { y in
            scalars.withUnsafeBufferPointer { x in Scalar.map(f, x.baseAddress!, y.baseAddress!, count: y.count) }
        }
    }

    /// This tensor repeated along broadcast axes to `target`; no graph.
    func expanded(to target: [Int]) -> Tensor {
        if target == shape { return detached() }
        precondition(Shape.broadcast(shape, target) == target, "cannot broadcast \(shape) to \(target)")
        return Tensor<Scalar>(shape: target) { y in
            scalars.withUnsafeBufferPointer { x in
                Broadcast.forEachBlock(output: target, a: shape, b: []) { oa, sa, _, _, oy, n in
                    if sa == 1 {
                        Scalar.copy(x.baseAddress! + oa, stride: 1, to: y.baseAddress! + oy, count: n)
                    } else {
                        Scalar.fill(y.baseAddress! + oy, x[oa], count: n)
                    }
                }
            }
        }
    }

    /// The gradient of a broadcast: this tensor (of a broadcast shape)
    /// summed over the axes that broadcasting added or stretched; no graph.
    func unbroadcast(to target: [Int]) -> Tensor {
        if target == shape { return self }
        let lead = rank - target.count
        precondition(lead >= 0, "cannot reduce \(shape) to \(target)")
        var axes = Array(0..<lead)
        for (i, d) in target.enumerated() where d == 1 && shape[lead + i] != 1 { axes.append(lead + i) }
        return summed(axes: axes).reshapedRaw(target)
    }
}
