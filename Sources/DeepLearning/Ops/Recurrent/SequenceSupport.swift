/// What the three sequence ops share: the shape checks, the rows of one time
/// step of a batch-first buffer, and the gradient of W_hh, which is one
/// matrix product over all B·T steps once the backward loop has the
/// pre-activation gradients of every step.
enum SequenceSupport {
    /// B, T and H of a sequence op's operands, checked: `gates` [B, T, G·H],
    /// `weight` W_hh [G·H, H], every initial state [B, H].
    static func dimensions<S>(_ op: String, gateCount: Int, gates: Tensor<S>, weight: Tensor<S>,
                              states: [Tensor<S>]) -> (batch: Int, steps: Int, hidden: Int) {
        precondition(weight.rank == 2 && weight.shape[1] > 0 && weight.shape[0] == gateCount * weight.shape[1],
                     "\(op): W_hh must be [\(gateCount)·H, H], got \(weight.shape)")
        let hidden = weight.shape[1]
        precondition(gates.rank == 3 && gates.shape[0] > 0 && gates.shape[1] > 0 && gates.shape[2] == gateCount * hidden,
                     "\(op): input projection must be [B, T, \(gateCount * hidden)], got \(gates.shape)")
        let batch = gates.shape[0]
        for state in states {
            precondition(state.shape == [batch, hidden], "\(op): state must be [\(batch), \(hidden)], got \(state.shape)")
        }
        return (batch, gates.shape[1], hidden)
    }

    /// Step t of a [B, T, width] buffer (plus `offset` within the width), as rows.
    @inline(__always)
    static func rows<S>(_ base: UnsafeMutablePointer<S>, step t: Int, steps: Int, width: Int, offset: Int = 0) -> Rows<S> {
        Rows(base: base + t * width + offset, stride: steps * width)
    }

    @inline(__always)
    static func rows<S>(_ base: UnsafePointer<S>, step t: Int, steps: Int, width: Int, offset: Int = 0) -> ConstRows<S> {
        ConstRows(base: base + t * width + offset, stride: steps * width)
    }

    /// h_{t-1} for step t: the initial state for t = 0, else the previous
    /// step's h, stored at `offset` in the [B, T, width] output.
    @inline(__always)
    static func previousState<S>(_ initial: UnsafePointer<S>, _ output: UnsafePointer<S>, step t: Int, steps: Int,
                                 width: Int, offset: Int, hidden: Int) -> ConstRows<S> {
        t == 0 ? ConstRows(base: initial, stride: hidden)
               : rows(output, step: t - 1, steps: steps, width: width, offset: offset)
    }

    /// dW_hh [G·H, H] = Σ_t dPre_tᵀ · h_{t-1}, for `dPre` [B, T, G·H]: the
    /// h_{t-1} are gathered (from `initial` and the h values stored at
    /// offset 0 of each step of the [B, T, width] `output`) into one
    /// [B·T, H] matrix, so that a single gemm sums over batch and time.
    static func weightGradient<S: TensorScalar>(_ s: RecurrentStep, steps: Int, dPre: Tensor<S>,
                                                initial: Tensor<S>, output: Tensor<S>, width: Int) -> Tensor<S> {
        let (h, g) = (s.hidden, dPre.shape[2])
        let previous = Tensor<S>.written([s.batch * steps, h]) { p in
            initial.withPointer { h0 in
                output.withPointer { y in
                    for t in 0..<steps {
                        let source = previousState(h0, y, step: t, steps: steps, width: width, offset: 0, hidden: h)
                        for b in 0..<s.batch { (p + (b * steps + t) * h).update(from: source[b], count: h) }
                    }
                }
            }
        }
        return Tensor<S>.gemm(dPre, transposed: true, previous, transposed: false, m: g, n: h, k: s.batch * steps,
                              outShape: [g, h])
    }

    /// h_{t-1}·W_hhᵀ added into (beta 1) or written over (beta 0) `rows`.
    @inline(__always)
    static func addHiddenProjection<S: TensorScalar>(_ s: RecurrentStep, gateWidth: Int, previous: ConstRows<S>,
                                                     weight: UnsafePointer<S>, beta: S, into rows: Rows<S>) {
        S.gemm(transposeA: false, transposeB: true, m: s.batch, n: gateWidth, k: s.hidden, alpha: 1,
               previous.base, lda: previous.stride, weight, ldb: s.hidden, beta: beta, rows.base, ldc: rows.stride)
    }

    /// dh_{t-1} (+)= dPre_t · W_hh.
    @inline(__always)
    static func propagateToPrevious<S: TensorScalar>(_ s: RecurrentStep, gateWidth: Int, dPre: ConstRows<S>,
                                                     weight: UnsafePointer<S>, beta: S,
                                                     into dhCarry: UnsafeMutablePointer<S>) {
        S.gemm(transposeA: false, transposeB: false, m: s.batch, n: s.hidden, k: gateWidth, alpha: 1,
               dPre.base, lda: dPre.stride, weight, ldb: s.hidden, beta: beta, dhCarry, ldc: s.hidden)
    }
}

extension Tensor {
    /// `body` with the elements of every tensor in `tensors` (none empty), in order.
    static func withPointers<R>(_ tensors: [Tensor], _ body: ([Pointer]) -> R) -> R {
        func nest(_ i: Int, _ pointers: [Pointer]) -> R {
            i == tensors.count ? body(pointers) : tensors[i].withPointer { nest(i + 1, pointers + [$0]) }
        }
        return nest(0, [])
    }
}
