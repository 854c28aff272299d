/// One GRU layer over a whole sequence as one recorded op (see
/// `LSTMSequence` for the layout). Unlike the LSTM, b_hh cannot be folded
/// into the input projection: r multiplies the hidden part of n's
/// pre-activation, W_hn·h + b_hn, so each step computes h_{t-1}·W_hhᵀ + b_hh
/// into a [B, 3H] scratch buffer and keeps the n block for the backward pass.
enum GRUSequence {
    /// `x` [B, T, 3H]: x·W_ihᵀ + b_ih. Writes `gates` [B, T, 3H] (r, z, n),
    /// `hn` [B, T, H] and `output` [B, T, H] (h_t).
    static func forward<S: TensorScalar>(_ s: RecurrentStep, steps: Int, x: UnsafePointer<S>,
                                         weight: UnsafePointer<S>, bias: UnsafePointer<S>?, h0: UnsafePointer<S>,
                                         gates: UnsafeMutablePointer<S>, hn: UnsafeMutablePointer<S>,
                                         output: UnsafeMutablePointer<S>) {
        let (h, g) = (s.hidden, 3 * s.hidden)
        let hh = UnsafeMutablePointer<S>.allocate(capacity: s.batch * g)
        defer { hh.deallocate() }
        let scratch = Rows(base: hh, stride: g)
        for t in 0..<steps {
            for b in 0..<s.batch {
                if let bias { scratch[b].update(from: bias, count: g) } else { scratch[b].initialize(repeating: 0, count: g) }
            }
            let hPrev = SequenceSupport.previousState(h0, output, step: t, steps: steps, width: h, offset: 0, hidden: h)
            SequenceSupport.addHiddenProjection(s, gateWidth: g, previous: hPrev, weight: weight, beta: 1, into: scratch)
            S.gruStepForward(s, x: SequenceSupport.rows(x, step: t, steps: steps, width: g), hh: scratch.const,
                             hPrev: hPrev, gates: SequenceSupport.rows(gates, step: t, steps: steps, width: g),
                             hn: SequenceSupport.rows(hn, step: t, steps: steps, width: h),
                             h: SequenceSupport.rows(output, step: t, steps: steps, width: h))
        }
    }

    /// Backpropagation through time: writes dx [B, T, 3H], dHidden [B, T, 3H]
    /// (the gradient of h_{t-1}·W_hhᵀ + b_hh, from which dW_hh and db_hh
    /// follow) and dh0 [B, H].
    static func backward<S: TensorScalar>(_ s: RecurrentStep, steps: Int, weight: UnsafePointer<S>,
                                          h0: UnsafePointer<S>, gates: UnsafePointer<S>, hn: UnsafePointer<S>,
                                          output: UnsafePointer<S>, dOutput: UnsafePointer<S>,
                                          dx: UnsafeMutablePointer<S>, dHidden: UnsafeMutablePointer<S>,
                                          dh0: UnsafeMutablePointer<S>) {
        let (h, g) = (s.hidden, 3 * s.hidden)
        dh0.initialize(repeating: 0, count: s.batch * h)
        for t in (0..<steps).reversed() {
            let dHiddenRows = SequenceSupport.rows(dHidden, step: t, steps: steps, width: g)
            S.gruStepBackward(s, gates: SequenceSupport.rows(gates, step: t, steps: steps, width: g),
                              hn: SequenceSupport.rows(hn, step: t, steps: steps, width: h),
                              hPrev: SequenceSupport.previousState(h0, output, step: t, steps: steps, width: h,
                                                                   offset: 0, hidden: h),
                              dhOut: SequenceSupport.rows(dOutput, step: t, steps: steps, width: h),
                              dhCarry: dh0, dx: SequenceSupport.rows(dx, step: t, steps: steps, width: g),
                              dhh: dHiddenRows)
            SequenceSupport.propagateToPrevious(s, gateWidth: g, dPre: dHiddenRows.const, weight: weight, beta: 1,
                                                into: dh0)
        }
    }
}

extension Tensor {
    /// A GRU layer over a sequence as one recorded op. `x` [B, T, 3H] holds
    /// x·W_ihᵀ + b_ih for every step, `hiddenWeight` is W_hh [3H, H] (rows r,
    /// z, n as in PyTorch), `hiddenBias` b_hh [3H] or nil, `h0` [B, H].
    /// Returns h_t for every step, [B, T, H].
    static func gruSequence(x: Tensor, hiddenWeight: Tensor, hiddenBias: Tensor?, h0: Tensor) -> Tensor {
        let (b, t, h) = SequenceSupport.dimensions("gru", gateCount: 3, gates: x, weight: hiddenWeight, states: [h0])
        if let hiddenBias { precondition(hiddenBias.shape == [3 * h], "gru: b_hh must be [\(3 * h)], got \(hiddenBias.shape)") }
        let step = RecurrentStep(batch: b, hidden: h)
        let (xp, w, hInit, bias) = (x.detached(), hiddenWeight.detached(), h0.detached(), hiddenBias?.detached())
        let (gatesOut, hnOut, outputOut) = Tensor.written([b, t, 3 * h], [b, t, h], [b, t, h]) { gp, hnp, yp in
            withPointers([xp, w, hInit]) { p in
                withOptionalPointer(bias) { bp in
                    GRUSequence.forward(step, steps: t, x: p[0], weight: p[1], bias: bp, h0: p[2], gates: gp!,
                                        hn: hnp!, output: yp!)
                }
            }
        }
        let (gates, hn, output) = (gatesOut!, hnOut!, outputOut!)
        let needs = (hiddenWeight.node != nil, hiddenBias?.node != nil)
        let inputs = [x, hiddenWeight, h0] + (hiddenBias.map { [$0] } ?? [])
        return record("gru", output, inputs: inputs) { dOutput in
            let (dx, dHidden, dh0) = Tensor.written([b, t, 3 * h], [b, t, 3 * h], [b, h]) { dxp, dhp, dh0p in
                withPointers([w, hInit, gates, hn, output, dOutput]) { p in
                    GRUSequence.backward(step, steps: t, weight: p[0], h0: p[1], gates: p[2], hn: p[3], output: p[4],
                                         dOutput: p[5], dx: dxp!, dHidden: dhp!, dh0: dh0p!)
                }
            }
            let dWeight = needs.0
                ? SequenceSupport.weightGradient(step, steps: t, dPre: dHidden!, initial: hInit, output: output, width: h)
                : nil
            let gradients = [dx, dWeight, dh0]
            guard bias != nil else { return gradients }
            return gradients + [needs.1 ? dHidden!.summed(axes: [0, 1]).reshapedRaw([3 * h]) : nil]
        }
    }
}
