/// Double: plain Swift references, written for clarity (direct loops over
/// the definitions), used for finite-difference gradient checks and to
/// validate the Float (C) kernels through the engine. Same semantics as
/// `ops.h`, including PyTorch's max-pool argmax and average-pool divisor.
extension Double: SpatialKernels {
    // MARK: convolution

    public static func conv2dForward(_ g: Conv2dGeometry, x: UnsafePointer<Double>, weight: UnsafePointer<Double>,
                                     bias: UnsafePointer<Double>?, y: UnsafeMutablePointer<Double>) {
        let (cg, mg) = (g.cg, g.mg)
        for b in 0..<g.n {
            for o in 0..<g.m {
                let group = o / mg
                for oh in 0..<g.ho {
                    for ow in 0..<g.wo {
                        var acc = bias?[o] ?? 0
                        for ci in 0..<cg {
                            let ic = group * cg + ci
                            for ki in 0..<g.kh {
                                let ih = oh * g.sh - g.pt + ki * g.dh
                                guard ih >= 0 && ih < g.h else { continue }
                                for kj in 0..<g.kw {
                                    let iw = ow * g.sw - g.pl + kj * g.dw
                                    guard iw >= 0 && iw < g.w else { continue }
                                    acc += x[((b * g.c + ic) * g.h + ih) * g.w + iw]
                                        * weight[((o * cg + ci) * g.kh + ki) * g.kw + kj]
                                }
                            }
                        }
                        y[((b * g.m + o) * g.ho + oh) * g.wo + ow] = acc
                    }
                }
            }
        }
    }

    public static func conv2dBackward(_ g: Conv2dGeometry, x: UnsafePointer<Double>?, weight: UnsafePointer<Double>?,
                                      dy: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>?,
                                      dWeight: UnsafeMutablePointer<Double>?, dBias: UnsafeMutablePointer<Double>?) {
        let (cg, mg) = (g.cg, g.mg)
        dx?.initialize(repeating: 0, count: g.n * g.c * g.h * g.w)
        dWeight?.initialize(repeating: 0, count: g.m * cg * g.kh * g.kw)
        dBias?.initialize(repeating: 0, count: g.m)
        for b in 0..<g.n {
            for o in 0..<g.m {
                let group = o / mg
                for oh in 0..<g.ho {
                    for ow in 0..<g.wo {
                        let d = dy[((b * g.m + o) * g.ho + oh) * g.wo + ow]
                        dBias?[o] += d
                        for ci in 0..<cg {
                            let ic = group * cg + ci
                            for ki in 0..<g.kh {
                                let ih = oh * g.sh - g.pt + ki * g.dh
                                guard ih >= 0 && ih < g.h else { continue }
                                for kj in 0..<g.kw {
                                    let iw = ow * g.sw - g.pl + kj * g.dw
                                    guard iw >= 0 && iw < g.w else { continue }
                                    let xi = ((b * g.c + ic) * g.h + ih) * g.w + iw
                                    let wi = ((o * cg + ci) * g.kh + ki) * g.kw + kj
                                    dx?[xi] += d * weight![wi]
                                    dWeight?[wi] += d * x![xi]
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    /// Visits every (input element, weight element, output element) triple
    /// of a transposed convolution: x[xi] * w[wi] contributes to y[yi].
    private static func forEachTransposedTap(_ g: Conv2dGeometry, _ body: (_ xi: Int, _ wi: Int, _ yi: Int) -> Void) {
        let (cg, mg) = (g.cg, g.mg)
        for b in 0..<g.n {
            for ic in 0..<g.c {
                let group = ic / cg
                for ih in 0..<g.h {
                    for iw in 0..<g.w {
                        let xi = ((b * g.c + ic) * g.h + ih) * g.w + iw
                        for oc in 0..<mg {
                            let o = group * mg + oc
                            for ki in 0..<g.kh {
                                let oh = ih * g.sh - g.pt + ki * g.dh
                                guard oh >= 0 && oh < g.ho else { continue }
                                for kj in 0..<g.kw {
                                    let ow = iw * g.sw - g.pl + kj * g.dw
                                    guard ow >= 0 && ow < g.wo else { continue }
                                    body(xi, ((ic * mg + oc) * g.kh + ki) * g.kw + kj,
                                         ((b * g.m + o) * g.ho + oh) * g.wo + ow)
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    public static func convTranspose2dForward(_ g: Conv2dGeometry, x: UnsafePointer<Double>, weight: UnsafePointer<Double>,
                                              bias: UnsafePointer<Double>?, y: UnsafeMutablePointer<Double>) {
        let plane = g.ho * g.wo
        for b in 0..<g.n {
            for o in 0..<g.m {
                (y + (b * g.m + o) * plane).initialize(repeating: bias?[o] ?? 0, count: plane)
            }
        }
        forEachTransposedTap(g) { xi, wi, yi in y[yi] += x[xi] * weight[wi] }
    }

    public static func convTranspose2dBackward(_ g: Conv2dGeometry, x: UnsafePointer<Double>?, weight: UnsafePointer<Double>?,
                                               dy: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>?,
                                               dWeight: UnsafeMutablePointer<Double>?, dBias: UnsafeMutablePointer<Double>?) {
        dx?.initialize(repeating: 0, count: g.n * g.c * g.h * g.w)
        dWeight?.initialize(repeating: 0, count: g.c * g.mg * g.kh * g.kw)
        if let dBias {
            let plane = g.ho * g.wo
            dBias.initialize(repeating: 0, count: g.m)
            for b in 0..<g.n {
                for o in 0..<g.m {
                    for i in 0..<plane { dBias[o] += dy[(b * g.m + o) * plane + i] }
                }
            }
        }
        guard dx != nil || dWeight != nil else { return }
        forEachTransposedTap(g) { xi, wi, yi in
            dx?[xi] += dy[yi] * weight![wi]
            dWeight?[wi] += dy[yi] * x![xi]
        }
    }

    // MARK: pooling

    /// The window of output (oh, ow) clipped to the input: rows [h0, h1), columns [w0, w1).
    private static func clippedWindow(_ g: Pool2dGeometry, _ oh: Int, _ ow: Int) -> (h0: Int, h1: Int, w0: Int, w1: Int) {
        let hs = oh * g.sh - g.pt, ws = ow * g.sw - g.pl
        return (Swift.max(hs, 0), Swift.min(hs + g.kh, g.h), Swift.max(ws, 0), Swift.min(ws + g.kw, g.w))
    }

    /// PyTorch's argmax over a clipped window of one plane: row by row, the
    /// first maximum wins, a NaN wins over numbers (the last NaN), and a
    /// window of -inf picks its first element.
    private static func argmax(_ g: Pool2dGeometry, _ plane: UnsafePointer<Double>, _ oh: Int, _ ow: Int) -> Int {
        let (h0, h1, w0, w1) = clippedWindow(g, oh, ow)
        var best = -Double.infinity, index = h0 * g.w + w0
        for ih in h0..<h1 {
            for iw in w0..<w1 {
                let v = plane[ih * g.w + iw]
                if v > best || v.isNaN {
                    best = v
                    index = ih * g.w + iw
                }
            }
        }
        return index
    }

    public static func maxPool2dForward(_ g: Pool2dGeometry, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        for plane in 0..<(g.n * g.c) {
            let xp = x + plane * g.h * g.w
            for oh in 0..<g.ho {
                for ow in 0..<g.wo {
                    y[(plane * g.ho + oh) * g.wo + ow] = xp[argmax(g, xp, oh, ow)]
                }
            }
        }
    }

    public static func maxPool2dBackward(_ g: Pool2dGeometry, x: UnsafePointer<Double>, dy: UnsafePointer<Double>,
                                         dx: UnsafeMutablePointer<Double>) {
        dx.initialize(repeating: 0, count: g.n * g.c * g.h * g.w)
        for plane in 0..<(g.n * g.c) {
            let xp = x + plane * g.h * g.w
            for oh in 0..<g.ho {
                for ow in 0..<g.wo {
                    dx[plane * g.h * g.w + argmax(g, xp, oh, ow)] += dy[(plane * g.ho + oh) * g.wo + ow]
                }
            }
        }
    }

    /// PyTorch's avg_pool2d divisor: the window clipped to the padded input
    /// when counting padding, else to the input.
    private static func divisor(_ g: Pool2dGeometry, _ oh: Int, _ ow: Int) -> Double {
        if g.countIncludePad {
            let hs = oh * g.sh - g.pt, ws = ow * g.sw - g.pl
            let he = Swift.min(hs + g.kh, g.h + g.pb), we = Swift.min(ws + g.kw, g.w + g.pr)
            return Double((he - hs) * (we - ws))
        }
        let (h0, h1, w0, w1) = clippedWindow(g, oh, ow)
        return Double((h1 - h0) * (w1 - w0))
    }

    public static func avgPool2dForward(_ g: Pool2dGeometry, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        for plane in 0..<(g.n * g.c) {
            let xp = x + plane * g.h * g.w
            for oh in 0..<g.ho {
                for ow in 0..<g.wo {
                    let (h0, h1, w0, w1) = clippedWindow(g, oh, ow)
                    var sum = 0.0
                    for ih in h0..<h1 { for iw in w0..<w1 { sum += xp[ih * g.w + iw] } }
                    y[(plane * g.ho + oh) * g.wo + ow] = sum / divisor(g, oh, ow)
                }
            }
        }
    }

    public static func avgPool2dBackward(_ g: Pool2dGeometry, dy: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>) {
        dx.initialize(repeating: 0, count: g.n * g.c * g.h * g.w)
        for plane in 0..<(g.n * g.c) {
            let dxp = dx + plane * g.h * g.w
            for oh in 0..<g.ho {
                for ow in 0..<g.wo {
                    let (h0, h1, w0, w1) = clippedWindow(g, oh, ow)
                    let d = dy[(plane * g.ho + oh) * g.wo + ow] / divisor(g, oh, ow)
                    for ih in h0..<h1 { for iw in w0..<w1 { dxp[ih * g.w + iw] += d } }
                }
            }
        }
    }

    public static func globalAvgPoolForward(n: Int, c: Int, hw: Int, x: UnsafePointer<Double>, y: UnsafeMutablePointer<Double>) {
        for plane in 0..<(n * c) {
            var sum = 0.0
            for i in 0..<hw { sum += x[plane * hw + i] }
            y[plane] = sum / Double(hw)
        }
    }

    public static func globalAvgPoolBackward(n: Int, c: Int, hw: Int, dy: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>) {
        for plane in 0..<(n * c) {
            (dx + plane * hw).initialize(repeating: dy[plane] / Double(hw), count: hw)
        }
    }

    // MARK: normalisation

    /// LRN's base k + alpha / size * Σ x[j]², j in [ch - size/2, ch + (size-1)/2] ∩ [0, c).
    private static func lrnBase(_ p: LRNParameters, c: Int, hw: Int, _ x: UnsafePointer<Double>, ch: Int, i: Int) -> Double {
        let lo = Swift.max(ch - p.size / 2, 0), hi = Swift.min(ch + (p.size - 1) / 2, c - 1)
        var sum = 0.0
        if lo <= hi { for j in lo...hi { sum += x[j * hw + i] * x[j * hw + i] } }
        return p.k + p.alpha / Double(p.size) * sum
    }

    public static func lrnForward(_ p: LRNParameters, n: Int, c: Int, hw: Int, x: UnsafePointer<Double>,
                                  y: UnsafeMutablePointer<Double>) {
        for b in 0..<n {
            let xb = x + b * c * hw
            for ch in 0..<c {
                for i in 0..<hw {
                    y[(b * c + ch) * hw + i] = xb[ch * hw + i] * Double.pow(lrnBase(p, c: c, hw: hw, xb, ch: ch, i: i), -p.beta)
                }
            }
        }
    }

    /// dx[j] = dy[j] s[j]^-β − (2αβ/size) x[j] Σ_{c: j in window(c)} dy[c] x[c] s[c]^(−β−1).
    public static func lrnBackward(_ p: LRNParameters, n: Int, c: Int, hw: Int, x: UnsafePointer<Double>,
                                   dy: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>) {
        let before = p.size / 2, after = (p.size - 1) / 2
        var base = [Double](repeating: 0, count: c), t = [Double](repeating: 0, count: c)
        for b in 0..<n {
            let xb = x + b * c * hw, dyb = dy + b * c * hw
            for i in 0..<hw {
                for ch in 0..<c {
                    base[ch] = lrnBase(p, c: c, hw: hw, xb, ch: ch, i: i)
                    t[ch] = dyb[ch * hw + i] * xb[ch * hw + i] * Double.pow(base[ch], -p.beta - 1)
                }
                for j in 0..<c {
                    // j is in window(ch) when ch - before <= j <= ch + after.
                    let lo = Swift.max(j - after, 0), hi = Swift.min(j + before, c - 1)
                    var sum = 0.0
                    if lo <= hi { for ch in lo...hi { sum += t[ch] } }
                    dx[(b * c + j) * hw + i] = dyb[j * hw + i] * Double.pow(base[j], -p.beta)
                        - 2 * p.alpha * p.beta / Double(p.size) * xb[j * hw + i] * sum
                }
            }
        }
    }

    public static func batchNormTrainForward(n: Int, c: Int, inner: Int, x: UnsafePointer<Double>,
                                             gamma: UnsafePointer<Double>?, beta: UnsafePointer<Double>?,
                                             eps: Double, momentum: Double,
                                             runningMean: UnsafeMutablePointer<Double>?, runningVar: UnsafeMutablePointer<Double>?,
                                             saveMean: UnsafeMutablePointer<Double>, saveInvstd: UnsafeMutablePointer<Double>,
                                             y: UnsafeMutablePointer<Double>) {
        let count = Double(n * inner)
        for ch in 0..<c {
            var sum = 0.0
            for b in 0..<n { for i in 0..<inner { sum += x[(b * c + ch) * inner + i] } }
            let mean = sum / count
            var squares = 0.0
            for b in 0..<n {
                for i in 0..<inner {
                    let d = x[(b * c + ch) * inner + i] - mean
                    squares += d * d
                }
            }
            let variance = squares / count
            let invstd = 1 / (variance + eps).squareRoot()
            saveMean[ch] = mean
            saveInvstd[ch] = invstd
            if let runningMean { runningMean[ch] = (1 - momentum) * runningMean[ch] + momentum * mean }
            if let runningVar { runningVar[ch] = (1 - momentum) * runningVar[ch] + momentum * squares / (count - 1) }
            let scale = invstd * (gamma?[ch] ?? 1), shift = beta?[ch] ?? 0
            for b in 0..<n {
                for i in 0..<inner {
                    let j = (b * c + ch) * inner + i
                    y[j] = (x[j] - mean) * scale + shift
                }
            }
        }
    }

    public static func batchNormBackward(n: Int, c: Int, inner: Int, x: UnsafePointer<Double>, dy: UnsafePointer<Double>,
                                         gamma: UnsafePointer<Double>?, saveMean: UnsafePointer<Double>,
                                         saveInvstd: UnsafePointer<Double>, dx: UnsafeMutablePointer<Double>?,
                                         dGamma: UnsafeMutablePointer<Double>?, dBeta: UnsafeMutablePointer<Double>?) {
        let count = Double(n * inner)
        for ch in 0..<c {
            let (mean, invstd) = (saveMean[ch], saveInvstd[ch])
            var sumDy = 0.0, sumDyXhat = 0.0
            for b in 0..<n {
                for i in 0..<inner {
                    let j = (b * c + ch) * inner + i
                    sumDy += dy[j]
                    sumDyXhat += dy[j] * (x[j] - mean) * invstd
                }
            }
            dBeta?[ch] = sumDy
            dGamma?[ch] = sumDyXhat
            guard let dx else { continue }
            let scale = (gamma?[ch] ?? 1) * invstd
            for b in 0..<n {
                for i in 0..<inner {
                    let j = (b * c + ch) * inner + i
                    let xhat = (x[j] - mean) * invstd
                    dx[j] = scale * (dy[j] - sumDy / count - xhat * sumDyXhat / count)
                }
            }
        }
    }

    public static func channelAffineForward(n: Int, c: Int, inner: Int, scale: UnsafePointer<Double>,
                                            shift: UnsafePointer<Double>, x: UnsafePointer<Double>,
                                            y: UnsafeMutablePointer<Double>) {
        for b in 0..<n {
            for ch in 0..<c {
                for i in 0..<inner {
                    let j = (b * c + ch) * inner + i
                    y[j] = x[j] * scale[ch] + shift[ch]
                }
            }
        }
    }

    public static func channelAffineBackward(n: Int, c: Int, inner: Int, x: UnsafePointer<Double>?,
                                             scale: UnsafePointer<Double>, dy: UnsafePointer<Double>,
                                             dx: UnsafeMutablePointer<Double>?, dScale: UnsafeMutablePointer<Double>?,
                                             dShift: UnsafeMutablePointer<Double>?) {
        dScale?.initialize(repeating: 0, count: c)
        dShift?.initialize(repeating: 0, count: c)
        for b in 0..<n {
            for ch in 0..<c {
                for i in 0..<inner {
                    let j = (b * c + ch) * inner + i
                    dx?[j] = dy[j] * scale[ch]
                    dScale?[ch] += dy[j] * x![j]
                    dShift?[ch] += dy[j]
                }
            }
        }
    }
}
