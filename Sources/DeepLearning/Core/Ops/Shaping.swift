/// Reshape, flatten, transpose and permute. Tensors are always contiguous,
/// so reshapes share storage and permutes copy.
extension Tensor {
    /// The same elements under `newShape`; one extent may be -1 (inferred).
    public func reshaped(_ newShape: [Int]) -> Tensor {
        let target = Tensor.resolve(newShape, count: count)
        if target == shape { return self }
        let inShape = shape
        return Tensor.record("reshape", reshapedRaw(target), inputs: [self]) { g in [g.reshapedRaw(inShape)] }
    }

    /// Axes `startAxis...endAxis` merged into one.
    public func flattened(startAxis: Int = 0, endAxis: Int = -1) -> Tensor {
        if rank == 0 { return reshaped([1]) }
        let s = Shape.normalize(startAxis, rank: rank), e = Shape.normalize(endAxis, rank: rank)
        precondition(s <= e, "flattened: startAxis \(startAxis) after endAxis \(endAxis)")
        return reshaped(Array(shape[..<s]) + [Shape.count(Array(shape[s...e]))] + Array(shape[(e + 1)...]))
    }

    /// A new axis of extent 1 at `axis` (PyTorch's unsqueeze).
    public func expandingDims(at axis: Int) -> Tensor {
        let a = axis < 0 ? axis + rank + 1 : axis
        precondition(a >= 0 && a <= rank, "expandingDims: axis \(axis) out of range for rank \(rank)")
        var s = shape
        s.insert(1, at: a)
        return reshaped(s)
    }

    /// Without the axes of extent 1 (all of them, or only `axis`).
    public func squeezed(axis: Int? = nil) -> Tensor {
        if let axis {
            let a = Shape.normalize(axis, rank: rank)
            precondition(shape[a] == 1, "squeezed: axis \(axis) has extent \(shape[a])")
            var s = shape
            s.remove(at: a)
            return reshaped(s)
        }
        return reshaped(shape.filter { $0 != 1 })
    }

    /// The last two axes swapped (the matrix transpose for rank 2).
    public func transposed() -> Tensor {
        precondition(rank >= 2, "transposed() needs rank 2 or more, shape is \(shape)")
        return transposed(rank - 2, rank - 1)
    }

    /// Axes `a` and `b` swapped.
    public func transposed(_ a: Int, _ b: Int) -> Tensor {
        var axes = Array(0..<rank)
        axes.swapAt(Shape.normalize(a, rank: rank), Shape.normalize(b, rank: rank))
        return permuted(axes)
    }

    /// Axes reordered: result axis i is this tensor's axis `axes[i]`.
    public func permuted(_ axes: [Int]) -> Tensor {
        let axes = axes.map { Shape.normalize($0, rank: rank) }
        precondition(axes.count == rank && Set(axes).count == rank, "permuted: \(axes) is not a permutation of \(rank) axes")
        if axes == Array(0..<rank) { return self }
        var inverse = [Int](repeating: 0, count: rank)
        for (i, a) in axes.enumerated() { inverse[a] = i }
        let inverseAxes = inverse
        return Tensor.record("permute", permutedRaw(axes), inputs: [self]) { g in [g.permutedRaw(inverseAxes)] }
    }

    // MARK: - internals (no graph)

    func reshapedRaw(_ newShape: [Int]) -> Tensor {
        precondition(Shape.count(newShape) == count, "cannot reshape \(shape) to \(newShape)")
        var t = detached()
        t.shape = newShape
        return t
    }

    /// Gathers rows of the last output axis with the matching input stride.
    func permutedRaw(_ axes: [Int]) -> Tensor {
        let inStrides = Shape.strides(shape)
        let outShape = axes.map { shape[$0] }
        let strides = axes.map { inStrides[$0] }
        let last = rank - 1
        let rowLength = outShape[last], rowStride = strides[last]
        let rows = Shape.count(Array(outShape[..<last]))
        return Tensor(shape: outShape) { y in
            scalars.withUnsafeBufferPointer { xb in
                guard rowLength > 0 else { return }
                var index = [Int](repeating: 0, count: last)
                var offset = 0
                for r in 0..<rows {
                    Scalar.copy(xb.baseAddress! + offset, stride: rowStride, to: y.baseAddress! + r * rowLength, count: rowLength)
                    var d = last - 1
                    while d >= 0 {
                        index[d] += 1
                        offset += strides[d]
                        if index[d] < outShape[d] { break }
                        offset -= strides[d] * index[d]
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
    }

    static func resolve(_ shape: [Int], count: Int) -> [Int] {
        let unknown = shape.indices.filter { shape[$0] == -1 }
        precondition(unknown.count <= 1, "reshape: more than one -1 in \(shape)")
        guard let u = unknown.first else { return shape }
        let known = shape.enumerated().filter { $0.offset != u }.reduce(1) { $0 * $1.element }
        precondition(known > 0 && count % known == 0, "reshape: cannot infer -1 in \(shape) for \(count) elements")
        var s = shape
        s[u] = count / known
        return s
    }
}
