/// Row gather with a scatter-add backward: the op behind `Embedding`.
extension Tensor {
    /// Rows `indices` of this [rows, width] tensor, as [indices.count, width].
    /// The gradient adds each output row into the row it came from, so an
    /// index used twice receives both gradients.
    public func gatherRows(_ indices: [Int]) -> Tensor {
        precondition(rank == 2, "gatherRows: the table must be [rows, width], got \(shape)")
        let (rows, width) = (shape[0], shape[1])
        precondition(indices.allSatisfy { $0 >= 0 && $0 < rows }, "gatherRows: an index is outside 0..<\(rows)")
        let y = Tensor(shape: [indices.count, width]) { out in
            scalars.withUnsafeBufferPointer { table in
                for (i, row) in indices.enumerated() {
                    Scalar.copy(table.baseAddress! + row * width, stride: 1, to: out.baseAddress! + i * width, count: width)
                }
            }
        }
        return Tensor.record("gatherRows", y, inputs: [self]) { g in
            var dx = Tensor.zeros([rows, width])
            dx.scalars.withUnsafeMutableBufferPointer { d in
                g.scalars.withUnsafeBufferPointer { gv in
                    for (i, row) in indices.enumerated() {
                        let target = d.baseAddress! + row * width
                        Scalar.zip(.add, target, aStride: 1, gv.baseAddress! + i * width, bStride: 1, target, count: width)
                    }
                }
            }
            return [dx]
        }
    }
}
