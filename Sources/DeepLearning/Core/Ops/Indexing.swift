/// Slicing, concatenation and stacking, all on one region copy: rows of the
/// innermost axis copied between two shapes at given origins.
extension Tensor {
    /// The sub-tensor covering `ranges[i]` of axis i; axes past `ranges.count` are whole.
    public func slice(_ ranges: [Range<Int>]) -> Tensor {
        precondition(ranges.count <= rank, "slice: \(ranges.count) ranges for rank \(rank)")
        var origin = [Int](repeating: 0, count: rank)
        var extent = shape
        for (axis, r) in ranges.enumerated() {
            precondition(r.lowerBound >= 0 && r.upperBound <= shape[axis], "slice: \(r) out of bounds for axis \(axis) of \(shape)")
            origin[axis] = r.lowerBound
            extent[axis] = r.count
        }
        var y = Tensor.zeros(extent)
        Tensor.copyRegion(extent, from: self, at: origin, to: &y, at: [Int](repeating: 0, count: rank))
        let (inShape, start) = (shape, origin)
        return Tensor.record("slice", y, inputs: [self]) { g in
            var dx = Tensor.zeros(inShape)
            Tensor.copyRegion(g.shape, from: g, at: [Int](repeating: 0, count: g.rank), to: &dx, at: start)
            return [dx]
        }
    }

    public func slice(_ ranges: Range<Int>...) -> Tensor { slice(ranges) }

    /// The sub-tensor with `range` of `axis`.
    public func slice(axis: Int, _ range: Range<Int>) -> Tensor {
        let a = Shape.normalize(axis, rank: rank)
        return slice((0...a).map { $0 == a ? range : 0..<shape[$0] })
    }

    /// `tensors` joined along `axis`; their other extents must agree.
    public static func concatenate(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "concatenate: no tensors")
        let rank = tensors[0].rank
        let axis = Shape.normalize(axis, rank: rank)
        var outShape = tensors[0].shape
        outShape[axis] = 0
        for t in tensors {
            var s = t.shape
            precondition(t.rank == rank, "concatenate: ranks differ")
            s[axis] = 0
            var o = outShape
            o[axis] = 0
            precondition(s == o, "concatenate: shapes \(tensors.map(\.shape)) differ off axis \(axis)")
            outShape[axis] += t.shape[axis]
        }
        var y = Tensor.zeros(outShape)
        var offsets: [Int] = []
        var position = 0
        for t in tensors {
            var at = [Int](repeating: 0, count: rank)
            at[axis] = position
            offsets.append(position)
            copyRegion(t.shape, from: t, at: [Int](repeating: 0, count: rank), to: &y, at: at)
            position += t.shape[axis]
        }
        let shapes = tensors.map(\.shape)
        let needs = tensors.map { $0.node != nil }
        return record("concatenate", y, inputs: tensors) { g in
            shapes.indices.map { i -> Tensor? in
                guard needs[i] else { return nil }
                var part = Tensor.zeros(shapes[i])
                var at = [Int](repeating: 0, count: rank)
                at[axis] = offsets[i]
                copyRegion(shapes[i], from: g, at: at, to: &part, at: [Int](repeating: 0, count: rank))
                return part
            }
        }
    }

    /// `tensors` (of one shape) joined along a new axis.
    public static func stack(_ tensors: [Tensor], axis: Int = 0) -> Tensor {
        precondition(!tensors.isEmpty, "stack: no tensors")
        precondition(tensors.allSatisfy { $0.shape == tensors[0].shape }, "stack: shapes \(tensors.map(\.shape)) differ")
        return concatenate(tensors.map { $0.expandingDims(at: axis) }, axis: axis)
    }

    /// Copies the block of extent `extent` at `sourceOrigin` in `source` to
    /// `destinationOrigin` in `destination` (same rank); no graph.
    static func copyRegion(_ extent: [Int], from source: Tensor, at sourceOrigin: [Int],
                           to destination: inout Tensor, at destinationOrigin: [Int]) {
        let rank = extent.count
        guard rank > 0 else {
            destination.scalars[0] = source.scalars[0]
            return
        }
        let rows = Shape.count(Array(extent.dropLast())), rowLength = extent[rank - 1]
        guard rows > 0, rowLength > 0 else { return }
        let ss = Shape.strides(source.shape), ds = Shape.strides(destination.shape)
        var sOff = zip(sourceOrigin, ss).reduce(0) { $0 + $1.0 * $1.1 }
        var dOff = zip(destinationOrigin, ds).reduce(0) { $0 + $1.0 * $1.1 }
        var index = [Int](repeating: 0, count: rank - 1)
        source.scalars.withUnsafeBufferPointer { x in
            destination.scalars.withUnsafeMutableBufferPointer { y in
                for _ in 0..<rows {
                    Scalar.copy(x.baseAddress! + sOff, stride: 1, to: y.baseAddress! + dOff, count: rowLength)
                    var d = rank - 2
                    while d >= 0 {
                        index[d] += 1
                        sOff += ss[d]
                        dOff += ds[d]
                        if index[d] < extent[d] { break }
                        sOff -= ss[d] * index[d]
                        dOff -= ds[d] * index[d]
                        index[d] = 0
                        d -= 1
                    }
                }
            }
        }
    }
}
