import Testing
@testable import DeepLearning

/// The Float ops (the C runtime's forward and backward kernels) against the
/// Double Swift references, through the engine: same inputs (Float values
/// widened), forward and every gradient, on random shapes; relative error
/// max |f - d| / max |d| below 1e-4.
private func pick<G: RandomNumberGenerator>(_ range: ClosedRange<Int>, _ g: inout G) -> Int {
    Int.random(in: range, using: &g)
}

@Suite struct OpsFloatAgreementTests {
    static let tolerance = 1e-4

    static func relativeError(_ f: Tensor<Float>, _ d: T64) -> Double {
        precondition(f.shape == d.shape, "shapes \(f.shape) and \(d.shape)")
        let scale = Swift.max(d.scalars.map { Swift.abs($0) }.max() ?? 0, 1e-30)
        return zip(f.scalars, d.scalars).map { Swift.abs(Double($0) - $1) }.max()! / scale
    }

    /// Random values exactly representable in Float.
    static func random(_ shape: [Int], _ g: inout SplitMix64, low: Double = -2, high: Double = 2) -> T64 {
        T64.randomUniform(shape, low: low, high: high, using: &g).converted(to: Float.self).converted()
    }

    /// Runs `f` on Double inputs and on their Float copies, back-propagates
    /// the same random seed through both and compares outputs and gradients.
    static func expectAgreement(_ inputs: [T64], seed: UInt64, _ what: String,
                                sourceLocation: SourceLocation = #_sourceLocation,
                                double: ([T64]) -> T64, float: ([Tensor<Float>]) -> Tensor<Float>) {
        var d = inputs, f: [Tensor<Float>] = inputs.map { $0.converted() }
        for i in d.indices { d[i].requiresGrad = true; f[i].requiresGrad = true }
        let yd = double(d), yf = float(f)
        var g = SplitMix64(seed: seed)
        let dy = random(yd.shape, &g)
        let forward = relativeError(yf, yd)
        #expect(forward < tolerance, "\(what): forward error \(forward)", sourceLocation: sourceLocation)
        yd.backward(dy)
        yf.backward(dy.converted())
        for i in d.indices {
            let error = relativeError(f[i].grad!, d[i].grad!)
            #expect(error < tolerance, "\(what): gradient \(i) error \(error)", sourceLocation: sourceLocation)
        }
    }

    @Test(arguments: 0..<24)
    func conv2dAgreement(trial: Int) {
        var g = SplitMix64(seed: 1000 + UInt64(trial))
        // Every fourth trial depthwise (groups == channels, multiplier 1 or 2).
        var geometry: Conv2dGeometry?
        var bias = true
        while geometry == nil {
            let groups = trial % 4 == 0 ? pick(1...6, &g) : [1, 1, 2, 3].randomElement(using: &g)!
            let c = trial % 4 == 0 ? groups : groups * pick(1...4, &g)
            let m = trial % 4 == 0 ? groups * pick(1...2, &g) : groups * pick(1...5, &g)
            let kernel = Size2d(pick(1...4, &g), pick(1...4, &g))
            let padding = trial % 3 == 0
                ? Padding2d(top: pick(0...2, &g), left: pick(0...2, &g), bottom: pick(0...2, &g), right: pick(0...2, &g))
                : Padding2d(pick(0...2, &g), pick(0...2, &g))
            bias = trial % 5 != 0
            geometry = Conv2dGeometry(input: [pick(1...3, &g), c, pick(3...12, &g), pick(3...12, &g)], outputChannels: m,
                                      kernel: kernel, stride: Size2d(pick(1...3, &g), pick(1...3, &g)), padding: padding,
                                      dilation: Size2d(pick(1...2, &g), pick(1...2, &g)), groups: groups, transposed: false)
        }
        let geo = geometry!
        let stride = Size2d(geo.sh, geo.sw), dilation = Size2d(geo.dh, geo.dw)
        let padding = Padding2d(top: geo.pt, left: geo.pl, bottom: geo.pb, right: geo.pr)
        var inputs = [Self.random(geo.inputShape, &g), Self.random(geo.weightShape, &g)]
        if bias { inputs.append(Self.random([geo.m], &g)) }
        Self.expectAgreement(inputs, seed: UInt64(trial), "conv2d \(geo)") { t in
            conv2d(t[0], weight: t[1], bias: bias ? t[2] : nil, stride: stride, padding: padding, dilation: dilation, groups: geo.groups)
        } float: { t in
            conv2d(t[0], weight: t[1], bias: bias ? t[2] : nil, stride: stride, padding: padding, dilation: dilation, groups: geo.groups)
        }
    }

    /// Shapes large enough for the C kernels' threaded and blocked paths.
    @Test(arguments: [
        ([4, 16, 20, 20], [32, 16, 3, 3], 1, 1, 1),
        ([2, 32, 17, 15], [32, 1, 3, 3], 2, 1, 32),
        ([3, 64, 9, 9], [48, 64, 1, 1], 1, 0, 1),
        ([2, 24, 14, 14], [24, 8, 5, 5], 1, 2, 3),
    ])
    func conv2dLargeAgreement(input: [Int], weight: [Int], stride: Int, padding: Int, groups: Int) {
        var g = SplitMix64(seed: UInt64(input.reduce(0, +) * 31 + weight.reduce(0, +)))
        let inputs = [Self.random(input, &g), Self.random(weight, &g), Self.random([weight[0]], &g)]
        Self.expectAgreement(inputs, seed: 3, "conv2d \(input) \(weight)") { t in
            conv2d(t[0], weight: t[1], bias: t[2], stride: Size2d(stride, stride), padding: Padding2d(padding, padding), groups: groups)
        } float: { t in
            conv2d(t[0], weight: t[1], bias: t[2], stride: Size2d(stride, stride), padding: Padding2d(padding, padding), groups: groups)
        }
    }

    /// The C kernels' threaded paths at several pool sizes (more threads than
    /// cores is fine), each on a private pool so that no other test's kernels
    /// take it: every op still agrees with the reference.
    @Test func threadCounts() {
        var g = SplitMix64(seed: 91)
        let x = Self.random([3, 12, 11, 10], &g), w = Self.random([15, 4, 3, 3], &g), b = Self.random([15], &g)
        let wd = Self.random([12, 1, 3, 3], &g), wt = Self.random([12, 5, 4, 4], &g)
        let gamma = Self.random([12], &g), beta = Self.random([12], &g)
        for threads in [1, 3, 8] {
            ComputePool.Private(threads: threads).run {
                Self.expectAgreement([x, w, b], seed: 1, "conv2d, \(threads) threads") {
                    conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, groups: 3)
                } float: { conv2d($0[0], weight: $0[1], bias: $0[2], stride: 2, padding: 1, groups: 3) }
                Self.expectAgreement([x, wd], seed: 2, "depthwise, \(threads) threads") {
                    conv2d($0[0], weight: $0[1], padding: 1, groups: 12)
                } float: { conv2d($0[0], weight: $0[1], padding: 1, groups: 12) }
                Self.expectAgreement([x, wt], seed: 3, "convTranspose2d, \(threads) threads") {
                    convTranspose2d($0[0], weight: $0[1], stride: 2, padding: 1)
                } float: { convTranspose2d($0[0], weight: $0[1], stride: 2, padding: 1) }
                Self.expectAgreement([x], seed: 4, "pools, \(threads) threads") {
                    avgPool2d(maxPool2d($0[0], kernel: 3, stride: 2, padding: 1, ceilMode: true), kernel: 2, ceilMode: true)
                } float: { avgPool2d(maxPool2d($0[0], kernel: 3, stride: 2, padding: 1, ceilMode: true), kernel: 2, ceilMode: true) }
                Self.expectAgreement([x, gamma, beta], seed: 5, "batchNorm2d + LRN, \(threads) threads") {
                    localResponseNorm(batchNorm2d($0[0], gamma: $0[1], beta: $0[2]), size: 5, alpha: 0.3)
                } float: { localResponseNorm(batchNorm2d($0[0], gamma: $0[1], beta: $0[2]), size: 5, alpha: 0.3) }
            }
        }
    }

    @Test(arguments: 0..<20)
    func convTranspose2dAgreement(trial: Int) {
        var g = SplitMix64(seed: 2000 + UInt64(trial))
        var geometry: Conv2dGeometry?
        while geometry == nil {
            let groups = [1, 1, 2, 3].randomElement(using: &g)!
            let c = trial % 4 == 0 ? groups : groups * pick(1...4, &g)
            let m = groups * pick(1...4, &g)
            let stride = Size2d(pick(1...3, &g), pick(1...3, &g)), dilation = Size2d(pick(1...2, &g), pick(1...2, &g))
            let outputPadding = Size2d(pick(0...Swift.max(stride.height, dilation.height) - 1, &g),
                                       pick(0...Swift.max(stride.width, dilation.width) - 1, &g))
            let padding = trial % 3 == 0
                ? Padding2d(top: pick(0...2, &g), left: pick(0...2, &g), bottom: pick(0...2, &g), right: pick(0...2, &g))
                : Padding2d(pick(0...2, &g), pick(0...2, &g))
            geometry = Conv2dGeometry(input: [pick(1...3, &g), c, pick(2...8, &g), pick(2...8, &g)], outputChannels: m,
                                      kernel: Size2d(pick(1...4, &g), pick(1...4, &g)), stride: stride, padding: padding,
                                      dilation: dilation, groups: groups, outputPadding: outputPadding, transposed: true)
        }
        let geo = geometry!
        let bias = trial % 5 != 0
        let stride = Size2d(geo.sh, geo.sw), dilation = Size2d(geo.dh, geo.dw), outputPadding = Size2d(geo.oph, geo.opw)
        let padding = Padding2d(top: geo.pt, left: geo.pl, bottom: geo.pb, right: geo.pr)
        var inputs = [Self.random(geo.inputShape, &g), Self.random(geo.weightShape, &g)]
        if bias { inputs.append(Self.random([geo.m], &g)) }
        Self.expectAgreement(inputs, seed: UInt64(trial), "convTranspose2d \(geo)") { t in
            convTranspose2d(t[0], weight: t[1], bias: bias ? t[2] : nil, stride: stride, padding: padding,
                            outputPadding: outputPadding, dilation: dilation, groups: geo.groups)
        } float: { t in
            convTranspose2d(t[0], weight: t[1], bias: bias ? t[2] : nil, stride: stride, padding: padding,
                            outputPadding: outputPadding, dilation: dilation, groups: geo.groups)
        }
    }

    @Test func convTranspose2dLargeAgreement() {
        var g = SplitMix64(seed: 77)
        let inputs = [Self.random([4, 32, 8, 8], &g), Self.random([32, 16, 4, 4], &g), Self.random([16], &g)]
        Self.expectAgreement(inputs, seed: 4, "convTranspose2d DCGAN-like") { t in
            convTranspose2d(t[0], weight: t[1], bias: t[2], stride: 2, padding: 1)
        } float: { t in
            convTranspose2d(t[0], weight: t[1], bias: t[2], stride: 2, padding: 1)
        }
    }

    static func randomPool(_ g: inout SplitMix64, trial: Int, countIncludePad: Bool) -> Pool2dGeometry {
        while true {
            let kernel = Size2d(pick(1...4, &g), pick(1...4, &g))
            let padding = Padding2d(top: pick(0...kernel.height / 2, &g), left: pick(0...kernel.width / 2, &g),
                                    bottom: pick(0...kernel.height / 2, &g), right: pick(0...kernel.width / 2, &g))
            let h = trial % 7 == 0 ? pick(20...40, &g) : pick(1...10, &g)
            if let geo = Pool2dGeometry(input: [pick(1...3, &g), pick(1...5, &g), h, pick(1...10, &g)], kernel: kernel,
                                        stride: Size2d(pick(1...3, &g), pick(1...3, &g)), padding: padding,
                                        ceilMode: trial % 2 == 1, countIncludePad: countIncludePad) {
                return geo
            }
        }
    }

    @Test(arguments: 0..<24)
    func poolAgreement(trial: Int) {
        var g = SplitMix64(seed: 3000 + UInt64(trial))
        let geo = Self.randomPool(&g, trial: trial, countIncludePad: trial % 3 != 0)
        let kernel = Size2d(geo.kh, geo.kw), stride = Size2d(geo.sh, geo.sw)
        let padding = Padding2d(top: geo.pt, left: geo.pl, bottom: geo.pb, right: geo.pr)
        let x = Self.random(geo.inputShape, &g)
        Self.expectAgreement([x], seed: UInt64(trial), "maxPool2d \(geo)") { t in
            maxPool2d(t[0], kernel: kernel, stride: stride, padding: padding, ceilMode: geo.ceilMode)
        } float: { t in
            maxPool2d(t[0], kernel: kernel, stride: stride, padding: padding, ceilMode: geo.ceilMode)
        }
        Self.expectAgreement([x], seed: UInt64(trial), "avgPool2d \(geo)") { t in
            avgPool2d(t[0], kernel: kernel, stride: stride, padding: padding, ceilMode: geo.ceilMode,
                      countIncludePad: geo.countIncludePad)
        } float: { t in
            avgPool2d(t[0], kernel: kernel, stride: stride, padding: padding, ceilMode: geo.ceilMode,
                      countIncludePad: geo.countIncludePad)
        }
    }

    @Test func maxPoolTiesAndNaN() {
        // Ties: the first maximum in row-major order takes the gradient, in both kernels.
        let x = T64(shape: [1, 1, 3, 3], scalars: [1, 5, 5, 5, 2, 5, -.infinity, 0, 3])
        let dy = T64(shape: [1, 1, 2, 2], scalars: [1, 10, 100, 1000])
        for ceil in [false, true] {
            var xd = x, xf: Tensor<Float> = x.converted()
            xd.requiresGrad = true
            xf.requiresGrad = true
            maxPool2d(xd, kernel: 2, stride: 1, ceilMode: ceil).backward(dy)
            maxPool2d(xf, kernel: 2, stride: 1, ceilMode: ceil).backward(dy.converted())
            #expect(xd.grad!.scalars == [0, 11, 0, 100, 0, 1000, 0, 0, 0])
            #expect(xf.grad!.converted(to: Double.self) == xd.grad!)
        }
        // A NaN propagates and takes the gradient; an all -inf window routes it to its first element.
        let y = T64(shape: [1, 1, 2, 2], scalars: [.nan, 1, -.infinity, -.infinity])
        var yd = y, yf: Tensor<Float> = y.converted()
        yd.requiresGrad = true
        yf.requiresGrad = true
        let outD = maxPool2d(yd, kernel: Size2d(1, 2)), outF = maxPool2d(yf, kernel: Size2d(1, 2))
        #expect(outD.scalars[0].isNaN && outF.scalars[0].isNaN)
        #expect(outD.scalars[1] == -.infinity && outF.scalars[1] == -.infinity)
        outD.backward(T64(shape: [1, 1, 2, 1], scalars: [2, 3]))
        outF.backward(Tensor<Float>(shape: [1, 1, 2, 1], scalars: [2, 3]))
        #expect(yd.grad!.scalars == [2, 0, 3, 0])
        #expect(yf.grad!.scalars == [2, 0, 3, 0])
    }

    @Test(arguments: [[2, 3, 5, 7], [4, 64, 7, 7], [1, 5, 1, 1], [3, 8, 33]])
    func globalAvgPoolAgreement(shape: [Int]) {
        var g = SplitMix64(seed: UInt64(shape.reduce(1, *)))
        Self.expectAgreement([Self.random(shape, &g)], seed: 5, "globalAvgPool \(shape)") { globalAvgPool($0[0]) } float: { globalAvgPool($0[0]) }
    }

    @Test(arguments: 0..<12)
    func localResponseNormAgreement(trial: Int) {
        var g = SplitMix64(seed: 4000 + UInt64(trial))
        let shape = [pick(1...3, &g), pick(1...12, &g), pick(1...9, &g), trial == 0 ? 300 : pick(1...9, &g)]
        let size = pick(1...7, &g)
        let alpha = [1e-4, 0.1, 1.0][trial % 3], beta = [0.75, 0.5, 1.7][trial % 3], k = [1.0, 2.0, 0.7][trial % 3]
        Self.expectAgreement([Self.random(shape, &g, low: -3, high: 3)], seed: 6, "lrn \(shape) size \(size)") {
            localResponseNorm($0[0], size: size, alpha: alpha, beta: beta, k: k)
        } float: {
            localResponseNorm($0[0], size: size, alpha: alpha, beta: beta, k: k)
        }
    }

    // (Not 2 values per channel: the normalised output is then ±1 whatever x, and dx is rounding noise.)
    @Test(arguments: [[4, 3, 5, 5], [2, 16, 7, 9], [8, 5], [1, 4, 3, 1], [16, 32, 12, 12]])
    func batchNormAgreement(shape: [Int]) {
        var g = SplitMix64(seed: UInt64(shape.reduce(7, *)))
        let c = shape[1]
        // An offset mean exercises the variance's cancellation.
        let x = Self.random(shape, &g, low: 1, high: 4)
        let gamma = Self.random([c], &g, low: 0.5, high: 1.5), beta = Self.random([c], &g)
        let mean0 = Self.random([c], &g), var0 = Self.random([c], &g, low: 0.5, high: 2)
        var meanD = mean0, varD = var0, meanF: Tensor<Float> = mean0.converted(), varF: Tensor<Float> = var0.converted()
        Self.expectAgreement([x, gamma, beta], seed: 7, "batchNorm2d train \(shape)") { t in
            batchNorm2d(t[0], gamma: t[1], beta: t[2], runningMean: &meanD, runningVar: &varD, training: true, momentum: 0.3)
        } float: { t in
            batchNorm2d(t[0], gamma: t[1], beta: t[2], runningMean: &meanF, runningVar: &varF, training: true, momentum: 0.3)
        }
        #expect(Self.relativeError(meanF, meanD) < 1e-5)
        #expect(Self.relativeError(varF, varD) < 1e-5)
        Self.expectAgreement([x, gamma, beta], seed: 8, "batchNorm2d eval \(shape)") { t in
            batchNorm2d(t[0], gamma: t[1], beta: t[2], runningMean: &meanD, runningVar: &varD, training: false)
        } float: { t in
            batchNorm2d(t[0], gamma: t[1], beta: t[2], runningMean: &meanF, runningVar: &varF, training: false)
        }
        Self.expectAgreement([x], seed: 9, "batchNorm2d no affine \(shape)") { t in
            batchNorm2d(t[0], gamma: nil, beta: nil)
        } float: { t in
            batchNorm2d(t[0], gamma: nil, beta: nil)
        }
    }
}
