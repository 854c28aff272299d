/// One Elman RNN layer (tanh) over a whole sequence as one recorded op (see
/// `LSTMSequence` for the layout): h_t = tanh(x_t·W_ihᵀ + b_ih + b_hh +
/// h_{t-1}·W_hhᵀ).
enum RNNSequence {
    /// `x` [B, T, H]: the input projection with both biases. Writes `output`
    /// [B, T, H] (h_t).
    static func forward<S: TensorScalar>(_ s: RecurrentStep, steps: Int, x: UnsafePointer<S>,
                                         weight: UnsafePointer<S>, h0: UnsafePointer<S>,
                                         output: UnsafeMutablePointer<S>) {
        let h = s.hidden
        for t in 0..<steps {
            let rows = SequenceSupport.rows(output, step: t, steps: steps, width: h)
            let xRows = SequenceSupport.rows(x, step: t, steps: steps, width: h)
            for b in 0..<s.batch { rows[b].update(from: xRows[b], count: h) }
            let hPrev = SequenceSupport.previousState(h0, output, step: t, steps: steps, width: h, offset: 0, hidden: h)
            SequenceSupport.addHiddenProjection(s, gateWidth: h, previous: hPrev, weight: weight, beta: 1, into: rows)
            S.rnnStepForward(s, h: rows)
        }
    }

    /// Backpropagation through time: writes dx [B, T, H] (the gradient of the
    /// pre-activations) and dh0 [B, H].
    static func backward<S: TensorScalar>(_ s: RecurrentStep, steps: Int, weight: UnsafePointer<S>,
                                          output: UnsafePointer<S>, dOutput: UnsafePointer<S>,
                                          dx: UnsafeMutablePointer<S>, dh0: UnsafeMutablePointer<S>) {
        let h = s.hidden
        dh0.initialize(repeating: 0, count: s.batch * h)
        for t in (0..<steps).reversed() {
            let dRows = SequenceSupport.rows(dx, step: t, steps: steps, width: h)
            S.rnnStepBackward(s, h: SequenceSupport.rows(output, step: t, steps: steps, width: h),
                              dhOut: SequenceSupport.rows(dOutput, step: t, steps: steps, width: h),
                              dhCarry: dh0, dPre: dRows)
            SequenceSupport.propagateToPrevious(s, gateWidth: h, dPre: dRows.const, weight: weight, beta: 0, into: dh0)
        }
    }
}

extension Tensor {
    /// A tanh RNN layer over a sequence as one recorded op. `x` [B, T, H]
    /// holds x·W_ihᵀ + b_ih + b_hh for every step, `hiddenWeight` is W_hh
    /// [H, H], `h0` [B, H]. Returns h_t for every step, [B, T, H].
    static func rnnSequence(x: Tensor, hiddenWeight: Tensor, h0: Tensor) -> Tensor {
        let (b, t, h) = SequenceSupport.dimensions("rnn", gateCount: 1, gates: x, weight: hiddenWeight, states: [h0])
        let step = RecurrentStep(batch: b, hidden: h)
        let (xp, w, hInit) = (x.detached(), hiddenWeight.detached(), h0.detached())
        let output = Tensor.written([b, t, h]) { y in
            withPointers([xp, w, hInit]) { p in RNNSequence.forward(step, steps: t, x: p[0], weight: p[1], h0: p[2], output: y) }
        }
        let needsWeight = hiddenWeight.node != nil
        return record("rnn", output, inputs: [x, hiddenWeight, h0]) { dOutput in
            let (dx, dh0, _) = Tensor.written([b, t, h], [b, h]) { dxp, dhp, _ in
                withPointers([w, output, dOutput]) { p in
                    RNNSequence.backward(step, steps: t, weight: p[0], output: p[1], dOutput: p[2], dx: dxp!, dh0: dhp!)
                }
            }
            let dWeight = needsWeight
                ? SequenceSupport.weightGradient(step, steps: t, dPre: dx!, initial: hInit, output: output, width: h)
                : nil
            return [dx, dWeight, dh0]
        }
    }
}
