/// The pointwise step kernels of `RecurrentKernels`, written once. The
/// equations are PyTorch's (`nn.LSTM`, `nn.GRU`, `nn.RNN` with tanh); each
/// backward pass is the chain rule through its forward pass, read off the
/// forward's saved activations.
extension RecurrentKernels where Self: TensorScalar {
    @inline(__always)
    static func sigmoid(_ x: Self) -> Self { 1 / (1 + Self.exp(-x)) }

    /// tanh through `exp`, which for Float is the branch-free Cephes
    /// polynomial, so the loops vectorise (libm's tanhf is a call per value
    /// and took a tenth of an LSTM training step). Absolute error a few ulp
    /// of 1; ±1 at the extremes, where exp overflows or underflows.
    @inline(__always)
    static func tanhApproximation(_ x: Self) -> Self { 1 - 2 / (1 + Self.exp(2 * x)) }

    public static func gateActivation(_ activation: GateActivation, _ x: UnsafeMutablePointer<Self>, count: Int) {
        switch activation {
        case .sigmoid: for j in 0..<count { x[j] = sigmoid(x[j]) }
        case .tanh: for j in 0..<count { x[j] = tanhApproximation(x[j]) }
        }
    }

    // The step kernels below are simple passes, each reading and writing
    // plain runs of memory, with the nonlinearities in `gateActivation`:
    // one fused loop over the four gate blocks stayed scalar and took a tenth
    // of an LSTM training step.

    public static func lstmStepForward(_ s: RecurrentStep, gates: Rows<Self>, cPrev: ConstRows<Self>,
                                       h: Rows<Self>, c: Rows<Self>) {
        let n = s.hidden
        for b in 0..<s.batch {
            let g = gates[b], cp = cPrev[b], hr = h[b], cr = c[b]
            gateActivation(.sigmoid, g, count: 2 * n)
            gateActivation(.tanh, g + 2 * n, count: n)
            gateActivation(.sigmoid, g + 3 * n, count: n)
            for j in 0..<n { cr[j] = g[n + j] * cp[j] + g[j] * g[2 * n + j] }
            hr.update(from: cr, count: n)
            gateActivation(.tanh, hr, count: n)
            for j in 0..<n { hr[j] *= g[3 * n + j] }
        }
    }

    public static func lstmStepBackward(_ s: RecurrentStep, gates: ConstRows<Self>, cPrev: ConstRows<Self>,
                                        c: ConstRows<Self>, dhOut: ConstRows<Self>, dcOut: ConstRows<Self>,
                                        dhCarry: UnsafePointer<Self>, dcCarry: UnsafeMutablePointer<Self>,
                                        dGates: Rows<Self>) {
        let n = s.hidden
        for b in 0..<s.batch {
            let g = gates[b], cp = cPrev[b], cr = c[b], dho = dhOut[b], dco = dcOut[b], dg = dGates[b]
            let dhc = dhCarry + b * n, dcc = dcCarry + b * n
            // tanh(c), recomputed into the o block of dGates, which each j reads before writing.
            let tc = dg + 3 * n
            tc.update(from: cr, count: n)
            gateActivation(.tanh, tc, count: n)
            for j in 0..<n {
                let i = g[j], f = g[n + j], gg = g[2 * n + j], o = g[3 * n + j], t = tc[j]
                let dh = dho[j] + dhc[j]
                let dc = dco[j] + dcc[j] + dh * o * (1 - t * t)
                dg[j] = dc * gg * i * (1 - i)
                dg[n + j] = dc * cp[j] * f * (1 - f)
                dg[2 * n + j] = dc * i * (1 - gg * gg)
                dg[3 * n + j] = dh * t * o * (1 - o)
                dcc[j] = dc * f
            }
        }
    }

    public static func gruStepForward(_ s: RecurrentStep, x: ConstRows<Self>, hh: ConstRows<Self>,
                                      hPrev: ConstRows<Self>, gates: Rows<Self>, hn: Rows<Self>, h: Rows<Self>) {
        let n = s.hidden
        for b in 0..<s.batch {
            let xr = x[b], hr = hh[b], hp = hPrev[b], g = gates[b], hnr = hn[b], out = h[b]
            for j in 0..<2 * n { g[j] = xr[j] + hr[j] }
            gateActivation(.sigmoid, g, count: 2 * n)
            hnr.update(from: hr + 2 * n, count: n)
            for j in 0..<n { g[2 * n + j] = xr[2 * n + j] + g[j] * hnr[j] }
            gateActivation(.tanh, g + 2 * n, count: n)
            for j in 0..<n {
                let z = g[n + j]
                out[j] = (1 - z) * g[2 * n + j] + z * hp[j]
            }
        }
    }

    public static func gruStepBackward(_ s: RecurrentStep, gates: ConstRows<Self>, hn: ConstRows<Self>,
                                       hPrev: ConstRows<Self>, dhOut: ConstRows<Self>,
                                       dhCarry: UnsafeMutablePointer<Self>, dx: Rows<Self>, dhh: Rows<Self>) {
        let n = s.hidden
        for b in 0..<s.batch {
            let g = gates[b], hnr = hn[b], hp = hPrev[b], dho = dhOut[b], dxr = dx[b], dhr = dhh[b]
            let dhc = dhCarry + b * n
            for j in 0..<n {
                let r = g[j], z = g[n + j], nv = g[2 * n + j]
                let dh = dho[j] + dhc[j]
                let dnPre = dh * (1 - z) * (1 - nv * nv)
                let drPre = dnPre * hnr[j] * r * (1 - r)
                let dzPre = dh * (hp[j] - nv) * z * (1 - z)
                dxr[j] = drPre; dxr[n + j] = dzPre; dxr[2 * n + j] = dnPre
                dhr[j] = drPre; dhr[n + j] = dzPre; dhr[2 * n + j] = dnPre * r
                dhc[j] = dh * z
            }
        }
    }

    public static func rnnStepForward(_ s: RecurrentStep, h: Rows<Self>) {
        for b in 0..<s.batch { gateActivation(.tanh, h[b], count: s.hidden) }
    }

    public static func rnnStepBackward(_ s: RecurrentStep, h: ConstRows<Self>, dhOut: ConstRows<Self>,
                                       dhCarry: UnsafePointer<Self>, dPre: Rows<Self>) {
        let n = s.hidden
        for b in 0..<s.batch {
            let hr = h[b], dho = dhOut[b], dp = dPre[b], dhc = dhCarry + b * n
            for j in 0..<n { dp[j] = (dho[j] + dhc[j]) * (1 - hr[j] * hr[j]) }
        }
    }
}
