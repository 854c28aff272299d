import Testing
@testable import DeepLearning

/// Finite-difference checks (GradientCheck, Float64, the Swift reference
/// kernels) of every spatial op, with respect to every input.
@Suite struct OpsGradientTests {
    static func expectGradients(_ inputs: [T64], sourceLocation: SourceLocation = #_sourceLocation,
                                _ f: ([T64]) -> T64) {
        let result = GradientCheck.check(inputs, f)
        #expect(result.maxError < GradientCheck.tolerance, "\(result)", sourceLocation: sourceLocation)
    }

    static func x(_ shape: [Int], _ seed: UInt64, low: Double = -2, high: Double = 2) -> T64 {
        GradientCheck.input(shape, seed: seed, low: low, high: high)
    }

    /// Distinct values at least 0.01 apart in random order, so that no
    /// finite-difference step changes a max-pool argmax.
    static func distinct(_ shape: [Int], _ seed: UInt64) -> T64 {
        var g = SplitMix64(seed: seed)
        let n = Shape.count(shape)
        let values = (0..<n).map { Double($0) * 0.01 - Double(n) * 0.005 }.shuffled(using: &g)
        return T64(shape: shape, scalars: values)
    }

    // MARK: convolution

    struct ConvCase: CustomStringConvertible, Sendable {
        var input: [Int], weight: [Int], bias = true
        var stride: Size2d = 1, padding: Padding2d = 0, dilation: Size2d = 1, groups = 1
        var outputPadding: Size2d = 0
        var description: String {
            "x \(input) w \(weight) bias \(bias) stride \(stride) pad \(padding) dilation \(dilation) groups \(groups) outpad \(outputPadding)"
        }
    }

    static let convCases: [ConvCase] = [
        ConvCase(input: [2, 3, 5, 6], weight: [4, 3, 3, 3], padding: 1),
        ConvCase(input: [1, 2, 7, 6], weight: [3, 2, 3, 2], stride: Size2d(2, 1),
                 padding: Padding2d(top: 1, left: 0, bottom: 2, right: 1), dilation: Size2d(2, 1)),
        ConvCase(input: [2, 2, 7, 7], weight: [2, 2, 3, 3], bias: false, stride: 2, padding: 2, dilation: 2),
        // groups
        ConvCase(input: [1, 4, 6, 5], weight: [6, 2, 3, 2], stride: Size2d(1, 2), padding: 1, groups: 2),
        // depthwise, multiplier 1 and 2
        ConvCase(input: [2, 3, 5, 5], weight: [3, 1, 3, 3], stride: 2, padding: 1, groups: 3),
        ConvCase(input: [1, 3, 6, 5], weight: [6, 1, 3, 3], padding: Padding2d(top: 0, left: 1, bottom: 1, right: 2),
                 dilation: Size2d(1, 2), groups: 3),
        // 1x1 (the C kernel's direct GEMM path) and a kernel as large as the padded input
        ConvCase(input: [2, 5, 3, 4], weight: [3, 5, 1, 1]),
        ConvCase(input: [1, 2, 3, 3], weight: [2, 2, 5, 5], padding: 1),
    ]

    @Test(arguments: convCases)
    func conv2dGradients(_ c: ConvCase) {
        var inputs = [Self.x(c.input, 1), Self.x(c.weight, 2)]
        if c.bias { inputs.append(Self.x([c.weight[0]], 3)) }
        Self.expectGradients(inputs) { t in
            conv2d(t[0], weight: t[1], bias: c.bias ? t[2] : nil, stride: c.stride, padding: c.padding,
                   dilation: c.dilation, groups: c.groups)
        }
    }

    static let convTransposeCases: [ConvCase] = [
        ConvCase(input: [2, 3, 4, 4], weight: [3, 2, 3, 3], stride: 2, padding: 1, outputPadding: 1),
        ConvCase(input: [1, 4, 3, 3], weight: [4, 3, 2, 2], stride: Size2d(2, 1), dilation: Size2d(1, 2), groups: 2,
                 outputPadding: Size2d(1, 1)),
        ConvCase(input: [2, 2, 3, 4], weight: [2, 3, 3, 3], bias: false, stride: 3,
                 padding: Padding2d(top: 2, left: 0, bottom: 1, right: 1), outputPadding: Size2d(2, 0)),
        // depthwise-shaped (groups == channels) and 1x1
        ConvCase(input: [1, 3, 4, 3], weight: [3, 2, 3, 3], stride: 2, padding: 1, groups: 3),
        ConvCase(input: [2, 4, 3, 3], weight: [4, 3, 1, 1]),
    ]

    @Test(arguments: convTransposeCases)
    func convTranspose2dGradients(_ c: ConvCase) {
        var inputs = [Self.x(c.input, 4), Self.x(c.weight, 5)]
        if c.bias { inputs.append(Self.x([c.weight[1] * c.groups], 6)) }
        Self.expectGradients(inputs) { t in
            convTranspose2d(t[0], weight: t[1], bias: c.bias ? t[2] : nil, stride: c.stride, padding: c.padding,
                            outputPadding: c.outputPadding, dilation: c.dilation, groups: c.groups)
        }
    }

    // MARK: pooling

    struct PoolCase: CustomStringConvertible, Sendable {
        var input: [Int], kernel: Size2d, stride: Size2d? = nil, padding: Padding2d = 0, ceilMode = false
        var description: String { "x \(input) kernel \(kernel) stride \(String(describing: stride)) pad \(padding) ceil \(ceilMode)" }
    }

    static let poolCases: [PoolCase] = [
        PoolCase(input: [2, 2, 4, 6], kernel: 2),
        PoolCase(input: [1, 3, 7, 6], kernel: 3, stride: 2, padding: 1),
        PoolCase(input: [1, 2, 6, 7], kernel: 3, stride: 2, ceilMode: true),
        PoolCase(input: [2, 1, 5, 5], kernel: Size2d(3, 2), stride: Size2d(2, 3), padding: Padding2d(1, 1), ceilMode: true),
        PoolCase(input: [1, 2, 5, 6], kernel: 3, stride: 1, padding: Padding2d(top: 0, left: 1, bottom: 2, right: 0)),
        // a kernel taller than the input (ceil mode accepts it)
        PoolCase(input: [1, 1, 2, 3], kernel: 3, stride: 2, ceilMode: true),
    ]

    @Test(arguments: poolCases)
    func maxPool2dGradients(_ c: PoolCase) {
        Self.expectGradients([Self.distinct(c.input, 7)]) { t in
            maxPool2d(t[0], kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode)
        }
    }

    @Test(arguments: poolCases, [true, false])
    func avgPool2dGradients(_ c: PoolCase, countIncludePad: Bool) {
        Self.expectGradients([Self.x(c.input, 8)]) { t in
            avgPool2d(t[0], kernel: c.kernel, stride: c.stride, padding: c.padding, ceilMode: c.ceilMode,
                      countIncludePad: countIncludePad)
        }
    }

    @Test func globalAvgPoolGradients() {
        Self.expectGradients([Self.x([2, 3, 4, 5], 9)]) { globalAvgPool($0[0]) }
        Self.expectGradients([Self.x([2, 3, 7], 10)]) { globalAvgPool($0[0]) }
    }

    // MARK: normalisation

    @Test(arguments: [1, 2, 3, 4, 5, 9])
    func localResponseNormGradients(size: Int) {
        let x = Self.x([2, 6, 3, 2], 11)
        // Large alpha so that the normalisation term matters.
        Self.expectGradients([x]) { localResponseNorm($0[0], size: size, alpha: 0.8, beta: 0.75, k: 1.5) }
        Self.expectGradients([x]) { localResponseNorm($0[0], size: size, alpha: 2, beta: 1.3, k: 0.5) }
    }

    @Test func batchNormTrainingGradients() {
        let x = Self.x([3, 4, 3, 2], 12), gamma = Self.x([4], 13, low: 0.5, high: 1.5), beta = Self.x([4], 14)
        Self.expectGradients([x, gamma, beta]) { t in
            var mean = T64.zeros([4]), variance = T64.ones([4])
            return batchNorm2d(t[0], gamma: t[1], beta: t[2], runningMean: &mean, runningVar: &variance, training: true)
        }
        // affine=False, track_running_stats=False, and [N, C] input (BatchNorm1d's layout)
        Self.expectGradients([x]) { batchNorm2d($0[0], gamma: nil, beta: nil) }
        Self.expectGradients([Self.x([5, 3], 15), gamma.slicedForTest(3), beta.slicedForTest(3)]) { t in
            batchNorm2d(t[0], gamma: t[1], beta: t[2], eps: 1e-3)
        }
    }

    @Test func batchNormEvaluationGradients() {
        let x = Self.x([2, 3, 4, 3], 16), gamma = Self.x([3], 17), beta = Self.x([3], 18)
        var mean = Self.x([3], 19), variance = Self.x([3], 20, low: 0.5, high: 2)
        let (savedMean, savedVariance) = (mean, variance)
        Self.expectGradients([x, gamma, beta]) { t in
            batchNorm2d(t[0], gamma: t[1], beta: t[2], runningMean: &mean, runningVar: &variance, training: false)
        }
        // Evaluation leaves the running statistics alone.
        #expect(mean == savedMean && variance == savedVariance)
        Self.expectGradients([x]) { t in
            batchNorm2d(t[0], gamma: nil, beta: nil, runningMean: &mean, runningVar: &variance, training: false)
        }
    }

    /// Ops composed: conv -> batch norm -> relu -> max pool -> conv -> global pool.
    @Test func composedNetworkGradients() {
        let x = Self.x([2, 2, 6, 6], 21)
        let w1 = Self.x([4, 2, 3, 3], 22), b1 = Self.x([4], 23), gamma = Self.x([4], 24), beta = Self.x([4], 25)
        let w2 = Self.x([4, 1, 3, 3], 26)
        Self.expectGradients([x, w1, b1, gamma, beta, w2]) { t in
            var h = conv2d(t[0], weight: t[1], bias: t[2], padding: 1)
            h = batchNorm2d(h, gamma: t[3], beta: t[4])
            h = avgPool2d(h.relu(), kernel: 2, countIncludePad: false)
            h = conv2d(h, weight: t[5], padding: 1, groups: 4)
            return globalAvgPool(localResponseNorm(h, size: 3, alpha: 0.5))
        }
    }
}

extension Tensor {
    /// The first `n` elements of a 1-D tensor, outside the graph.
    func slicedForTest(_ n: Int) -> Tensor { Tensor(shape: [n], scalars: Array(scalars.prefix(n))) }
}
