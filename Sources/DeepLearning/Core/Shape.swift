/// Shape arithmetic shared by the ops.
enum Shape {
    static func count(_ shape: [Int]) -> Int { shape.reduce(1, *) }

    /// Row-major strides, in elements.
    static func strides(_ shape: [Int]) -> [Int] {
        var strides = [Int](repeating: 1, count: shape.count)
        var running = 1
        for axis in shape.indices.reversed() {
            strides[axis] = running
            running *= shape[axis]
        }
        return strides
    }

    static func offset(of indices: [Int], in shape: [Int]) -> Int {
        precondition(indices.count == shape.count, "\(indices.count) indices for a tensor of rank \(shape.count)")
        var offset = 0
        for (axis, index) in indices.enumerated() {
            precondition(index >= 0 && index < shape[axis], "index \(index) out of range for axis \(axis) of \(shape)")
            offset = offset * shape[axis] + index
        }
        return offset
    }

    /// `axis` in [-rank, rank) as a non-negative axis.
    static func normalize(_ axis: Int, rank: Int) -> Int {
        let a = axis < 0 ? axis + rank : axis
        precondition(a >= 0 && a < Swift.max(rank, 1), "axis \(axis) out of range for rank \(rank)")
        return a
    }

    /// `[outer, axis, inner]`: the products of the extents before and after `axis`.
    static func split(_ shape: [Int], at axis: Int) -> (outer: Int, axis: Int, inner: Int) {
        (count(Array(shape[..<axis])), shape[axis], count(Array(shape[(axis + 1)...])))
    }

    /// NumPy broadcasting of two shapes.
    static func broadcast(_ a: [Int], _ b: [Int]) -> [Int] {
        let rank = Swift.max(a.count, b.count)
        let pa = [Int](repeating: 1, count: rank - a.count) + a
        let pb = [Int](repeating: 1, count: rank - b.count) + b
        return (0..<rank).map { i in
            precondition(pa[i] == pb[i] || pa[i] == 1 || pb[i] == 1, "shapes \(a) and \(b) do not broadcast")
            return pa[i] == 1 ? pb[i] : pa[i]
        }
    }
}
