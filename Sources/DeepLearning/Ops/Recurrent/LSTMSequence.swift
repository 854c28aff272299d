/// One LSTM layer over a whole sequence, llm.c-style: `forward` and
/// `backward` over explicit buffers, recorded on the tape as a single op so
/// that backpropagation through time is one loop over the steps in reverse
/// instead of a graph of T·(a dozen) small ops.
///
/// The input projection x·W_ihᵀ + b_ih + b_hh is computed by the caller for
/// all steps at once (one gemm over B·T rows); per step only h_{t-1}·W_hhᵀ
/// remains, one gemm of [B, H] by [H, 4H] that accumulates into the gate rows
/// in place.
enum LSTMSequence {
    /// `gates` [B, T, 4H]: the input projection on entry, the activations on
    /// return. `output` [B, T, 2H]: h_t then c_t for each step.
    static func forward<S: TensorScalar>(_ s: RecurrentStep, steps: Int, gates: UnsafeMutablePointer<S>,
                                         weight: UnsafePointer<S>, h0: UnsafePointer<S>, c0: UnsafePointer<S>,
                                         output: UnsafeMutablePointer<S>) {
        let (h, g) = (s.hidden, 4 * s.hidden)
        let out = UnsafePointer(output)
        for t in 0..<steps {
            let gateRows = SequenceSupport.rows(gates, step: t, steps: steps, width: g)
            let hPrev = SequenceSupport.previousState(h0, out, step: t, steps: steps, width: 2 * h, offset: 0, hidden: h)
            let cPrev = SequenceSupport.previousState(c0, out, step: t, steps: steps, width: 2 * h, offset: h, hidden: h)
            SequenceSupport.addHiddenProjection(s, gateWidth: g, previous: hPrev, weight: weight, beta: 1, into: gateRows)
            S.lstmStepForward(s, gates: gateRows, cPrev: cPrev,
                              h: SequenceSupport.rows(output, step: t, steps: steps, width: 2 * h),
                              c: SequenceSupport.rows(output, step: t, steps: steps, width: 2 * h, offset: h))
        }
    }

    /// Backpropagation through time. `dOutput` [B, T, 2H] is the gradient of
    /// `output`; writes dGates [B, T, 4H] (the input projection's gradient),
    /// and dh0 and dc0 [B, H]. (dW_hh is one gemm over all steps afterwards:
    /// `SequenceSupport.weightGradient`.)
    static func backward<S: TensorScalar>(_ s: RecurrentStep, steps: Int, gates: UnsafePointer<S>,
                                          weight: UnsafePointer<S>, h0: UnsafePointer<S>, c0: UnsafePointer<S>,
                                          output: UnsafePointer<S>, dOutput: UnsafePointer<S>,
                                          dGates: UnsafeMutablePointer<S>, dh0: UnsafeMutablePointer<S>,
                                          dc0: UnsafeMutablePointer<S>) {
        let (h, g) = (s.hidden, 4 * s.hidden)
        dh0.initialize(repeating: 0, count: s.batch * h)
        dc0.initialize(repeating: 0, count: s.batch * h)
        for t in (0..<steps).reversed() {
            let dGateRows = SequenceSupport.rows(dGates, step: t, steps: steps, width: g)
            S.lstmStepBackward(s, gates: SequenceSupport.rows(gates, step: t, steps: steps, width: g),
                               cPrev: SequenceSupport.previousState(c0, output, step: t, steps: steps, width: 2 * h,
                                                                    offset: h, hidden: h),
                               c: SequenceSupport.rows(output, step: t, steps: steps, width: 2 * h, offset: h),
                               dhOut: SequenceSupport.rows(dOutput, step: t, steps: steps, width: 2 * h),
                               dcOut: SequenceSupport.rows(dOutput, step: t, steps: steps, width: 2 * h, offset: h),
                               dhCarry: dh0, dcCarry: dc0, dGates: dGateRows)
            SequenceSupport.propagateToPrevious(s, gateWidth: g, dPre: dGateRows.const, weight: weight, beta: 0,
                                                into: dh0)
        }
    }
}

extension Tensor {
    /// An LSTM layer over a sequence as one recorded op. `gates` [B, T, 4H]
    /// holds x·W_ihᵀ + b_ih + b_hh for every step, `hiddenWeight` is W_hh
    /// [4H, H] (rows i, f, g, o as in PyTorch), `h0` and `c0` [B, H]. Returns
    /// [B, T, 2H]: h_t in the first H values of each step, c_t in the rest.
    static func lstmSequence(gates: Tensor, hiddenWeight: Tensor, h0: Tensor, c0: Tensor) -> Tensor {
        let (b, t, h) = SequenceSupport.dimensions("lstm", gateCount: 4, gates: gates, weight: hiddenWeight,
                                                   states: [h0, c0])
        let step = RecurrentStep(batch: b, hidden: h)
        var activations = gates.detached()
        let (w, hInit, cInit) = (hiddenWeight.detached(), h0.detached(), c0.detached())
        let output = Tensor.written([b, t, 2 * h]) { y in
            activations.scalars.withUnsafeMutableBufferPointer { a in
                withPointers([w, hInit, cInit]) { p in
                    LSTMSequence.forward(step, steps: t, gates: a.baseAddress!, weight: p[0], h0: p[1], c0: p[2],
                                         output: y)
                }
            }
        }
        let needsWeight = hiddenWeight.node != nil
        return record("lstm", output, inputs: [gates, hiddenWeight, h0, c0]) { dOutput in
            let (dGates, dh0, dc0) = Tensor.written([b, t, 4 * h], [b, h], [b, h]) { dg, dh, dc in
                withPointers([activations, w, hInit, cInit, output, dOutput]) { p in
                    LSTMSequence.backward(step, steps: t, gates: p[0], weight: p[1], h0: p[2], c0: p[3],
                                          output: p[4], dOutput: p[5], dGates: dg!, dh0: dh!, dc0: dc!)
                }
            }
            let dWeight = needsWeight
                ? SequenceSupport.weightGradient(step, steps: t, dPre: dGates!, initial: hInit, output: output,
                                                 width: 2 * h)
                : nil
            return [dGates, dWeight, dh0, dc0]
        }
    }
}
