/// Matrix products on `TensorScalar.gemm` (dk_sgemm for Float). Gradients
/// use the transpose flags of gemm, never a materialised transpose:
/// dA = G · Bᵀ, dB = Aᵀ · G.
extension Tensor {
    /// [m, k] x [k, n] -> [m, n]; [batch, m, k] x [batch, k, n] -> [batch, m, n];
    /// [batch, m, k] x [k, n] -> [batch, m, n] (one matrix for the whole batch).
    public func matmul(_ other: Tensor) -> Tensor {
        switch (rank, other.rank) {
        case (2, 2):
            return Tensor.matmul2D(self, other)
        case (3, 2):
            let (b, m, k) = (shape[0], shape[1], shape[2])
            return Tensor.matmul2D(reshaped([b * m, k]), other).reshaped([b, m, other.shape[1]])
        case (3, 3):
            return Tensor.batchedMatmul(self, other)
        default:
            preconditionFailure("matmul: unsupported ranks \(shape) x \(other.shape) (2-D or batched 3-D)")
        }
    }

    /// C = op(A) · op(B) into a new [m, n] tensor; no graph.
    static func gemm(_ a: Tensor, transposed ta: Bool, _ b: Tensor, transposed tb: Bool,
                     batch: Int = 1, m: Int, n: Int, k: Int, outShape: [Int]) -> Tensor {
        Tensor(shape: outShape) { c in
            a.scalars.withUnsafeBufferPointer { ap in
                b.scalars.withUnsafeBufferPointer { bp in
                    for i in 0..<batch {
                        let cp = c.baseAddress! + i * m * n
                        if k == 0 { Scalar.fill(cp, 0, count: m * n); continue }
                        Scalar.gemm(transposeA: ta, transposeB: tb, m: m, n: n, k: k, alpha: 1,
                                    ap.baseAddress! + i * m * k, lda: ta ? m : k,
                                    bp.baseAddress! + i * k * n, ldb: tb ? k : n,
                                    beta: 0, cp, ldc: n)
                    }
                }
            }
        }
    }

    private static func matmul2D(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (m, k, n) = (a.shape[0], a.shape[1], b.shape[1])
        precondition(b.shape[0] == k, "matmul: inner dimensions differ, \(a.shape) x \(b.shape)")
        let y = gemm(a, transposed: false, b, transposed: false, m: m, n: n, k: k, outShape: [m, n])
        let (x, w, needs) = (a.detached(), b.detached(), (a.node != nil, b.node != nil))
        return record("matmul", y, inputs: [a, b]) { g in
            [needs.0 ? gemm(g, transposed: false, w, transposed: true, m: m, n: k, k: n, outShape: [m, k]) : nil,
             needs.1 ? gemm(x, transposed: true, g, transposed: false, m: k, n: n, k: m, outShape: [k, n]) : nil]
        }
    }

    private static func batchedMatmul(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (batch, m, k, n) = (a.shape[0], a.shape[1], a.shape[2], b.shape[2])
        precondition(b.shape[0] == batch && b.shape[1] == k, "matmul: shapes \(a.shape) x \(b.shape) do not match")
        let y = gemm(a, transposed: false, b, transposed: false, batch: batch, m: m, n: n, k: k, outShape: [batch, m, n])
        let (x, w, needs) = (a.detached(), b.detached(), (a.node != nil, b.node != nil))
        return record("batchedMatmul", y, inputs: [a, b]) { g in
            [needs.0 ? gemm(g, transposed: false, w, transposed: true, batch: batch, m: m, n: k, k: n, outShape: [batch, m, k]) : nil,
             needs.1 ? gemm(x, transposed: true, g, transposed: false, batch: batch, m: k, n: n, k: m, outShape: [batch, k, n]) : nil]
        }
    }
}

/// The matrix product `a.matmul(b)`.
public func matmul<Scalar>(_ a: Tensor<Scalar>, _ b: Tensor<Scalar>) -> Tensor<Scalar> { a.matmul(b) }
