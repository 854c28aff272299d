import Testing
@testable import DeepLearning

/// The convolution-family layers: Float64 gradient checks of inputs
/// (`GradientCheck`) and parameters (`ModuleGradientCheck`), names and
/// shapes of parameters and buffers, PyTorch's default initialisation,
/// batch norm's running statistics and modes.
@Suite struct ConvolutionLayerTests {
    static func expectSmall(_ result: GradientCheck.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.maxError < GradientCheck.tolerance, "\(result)", sourceLocation: sourceLocation)
    }

    static func x(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { GradientCheck.input(shape, seed: seed) }

    @Test func conv2dLayer() {
        var g = SplitMix64(seed: 1)
        let layer = Conv2d<Double>(4, 6, kernelSize: Size2d(3, 2), stride: Size2d(2, 1), padding: 1, dilation: Size2d(1, 2),
                                   groups: 2, using: &g)
        #expect(layer.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(layer.weight.shape == [6, 2, 3, 2] && layer.bias!.shape == [6])
        let input = Self.x([2, 4, 5, 6], 2)
        #expect(layer(input).shape == [2, 6, 3, 6])
        Self.expectSmall(GradientCheck.check([input]) { layer($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(layer, input: input))

        let depthwise = Conv2d<Double>(3, 3, kernelSize: 3, padding: 1, groups: 3, bias: false, using: &g)
        #expect(depthwise.namedParameters().map(\.name) == ["weight"])
        Self.expectSmall(ModuleGradientCheck.check(depthwise, input: Self.x([1, 3, 4, 4], 3)))
    }

    @Test func convTranspose2dLayer() {
        var g = SplitMix64(seed: 4)
        let layer = ConvTranspose2d<Double>(4, 6, kernelSize: 3, stride: 2, padding: 1, outputPadding: 1, groups: 2, using: &g)
        #expect(layer.weight.shape == [4, 3, 3, 3] && layer.bias!.shape == [6])
        let input = Self.x([2, 4, 3, 3], 5)
        #expect(layer(input).shape == [2, 6, 6, 6])
        Self.expectSmall(GradientCheck.check([input]) { layer($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(layer, input: input))
    }

    /// PyTorch's default: weight and bias uniform in ±1/√fan_in, fan_in from the weight as stored.
    @Test func defaultInitialisation() {
        var g = SplitMix64(seed: 6)
        let conv = Conv2d<Float>(8, 16, kernelSize: 3, groups: 2, using: &g)
        let bound = 1 / Float(4 * 9).squareRoot()
        for t in [conv.weight.value, conv.bias!.value] {
            #expect(t.scalars.allSatisfy { Swift.abs($0) <= bound })
            // Uniform on ±bound: the largest magnitude gets close to it.
            #expect(t.scalars.map { Swift.abs($0) }.max()! > 0.8 * bound)
        }
        let deconv = ConvTranspose2d<Float>(8, 4, kernelSize: 4, stride: 2, using: &g)
        #expect(deconv.weight.shape == [8, 4, 4, 4])
        let tBound = 1 / Float(4 * 16).squareRoot()
        #expect(deconv.weight.value.scalars.allSatisfy { Swift.abs($0) <= tBound })
        #expect(deconv.weight.value.scalars.map { Swift.abs($0) }.max()! > 0.9 * tBound)
        // Seeded: the same generator state gives the same layer.
        var a = SplitMix64(seed: 9), b = SplitMix64(seed: 9)
        #expect(Conv2d<Float>(3, 4, kernelSize: 3, using: &a).weight.value == Conv2d<Float>(3, 4, kernelSize: 3, using: &b).weight.value)
    }

    @Test func poolingAndLRNLayers() {
        let input = Self.x([2, 3, 5, 5], 7)
        #expect(MaxPool2d<Double>(kernelSize: 3, stride: 2, ceilMode: true)(input).shape == [2, 3, 2, 2])
        #expect(AvgPool2d<Double>(kernelSize: 2)(input).shape == [2, 3, 2, 2])
        #expect(GlobalAvgPool2d<Double>()(input).shape == [2, 3, 1, 1])
        let lrn = LocalResponseNorm<Double>(size: 3, alpha: 0.5)
        #expect(lrn.namedParameters().isEmpty)
        Self.expectSmall(GradientCheck.check([input]) { AvgPool2d<Double>(kernelSize: 3, stride: 2, padding: 1, countIncludePad: false)($0[0]) })
        Self.expectSmall(GradientCheck.check([input]) { GlobalAvgPool2d<Double>()($0[0]) })
        Self.expectSmall(GradientCheck.check([input]) { lrn($0[0]) })
        // Max pool on distinct values (no finite-difference step changes an argmax).
        let distinct = OpsGradientTests.distinct([2, 3, 5, 5], 8)
        Self.expectSmall(GradientCheck.check([distinct]) { MaxPool2d<Double>(kernelSize: 2, stride: 1, padding: 1)($0[0]) })
    }

    @Test func batchNorm2dTrainMode() {
        let bn = BatchNorm2d<Double>(3)
        #expect(bn.namedParameters().map(\.name) == ["weight", "bias"])
        #expect(bn.namedBuffers().map(\.name) == ["running_mean", "running_var", "num_batches_tracked"])
        bn.weight!.assign(Self.x([3], 10))
        bn.bias!.assign(Self.x([3], 11))
        let input = Self.x([2, 3, 3, 2], 12)
        Self.expectSmall(GradientCheck.check([input]) { bn($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(bn, input: input))
    }

    @Test func batchNorm2dEvalMode() {
        let bn = BatchNorm2d<Double>(3)
        bn.runningMean!.value = Self.x([3], 13)
        bn.runningVar!.value = GradientCheck.input([3], seed: 14, low: 0.5, high: 2)
        bn.weight!.assign(Self.x([3], 15))
        bn.bias!.assign(Self.x([3], 16))
        bn.eval()
        let input = Self.x([2, 3, 2, 2], 17)
        let (mean, variance) = (bn.runningMean!.value, bn.runningVar!.value)
        Self.expectSmall(GradientCheck.check([input]) { bn($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(bn, input: input))
        #expect(bn.runningMean!.value == mean && bn.runningVar!.value == variance)
        #expect(bn.batchesTracked!.value.item() == 0)
        // Evaluation: (x - mean) / sqrt(var + eps) * gamma + beta.
        let y = bn(input)
        let c = 1, at = [1, c, 0, 1]
        let expected = (input[at[0], at[1], at[2], at[3]] - mean.scalars[c]) / (variance.scalars[c] + 1e-5).squareRoot()
            * bn.weight!.value.scalars[c] + bn.bias!.value.scalars[c]
        #expect(Swift.abs(y[at[0], at[1], at[2], at[3]] - expected) < 1e-12)
    }

    /// The running statistics follow PyTorch's update, in Float (C kernel) and Double alike.
    @Test func batchNorm2dRunningStatistics() {
        var g = SplitMix64(seed: 18)
        let batches = (0..<3).map { _ in Tensor<Double>.randomNormal([4, 2, 3, 3], mean: 1.5, standardDeviation: 2, using: &g) }
        for momentum in [0.1, nil] as [Double?] {
            let bd = BatchNorm2d<Double>(2, momentum: momentum), bf = BatchNorm2d<Float>(2, momentum: momentum)
            var mean = [0.0, 0.0], variance = [1.0, 1.0]
            for (i, batch) in batches.enumerated() {
                _ = bd(batch)
                _ = bf(batch.converted())
                let factor = momentum ?? 1 / Double(i + 1)
                for ch in 0..<2 {
                    var values: [Double] = []
                    for n in 0..<4 { for h in 0..<3 { for w in 0..<3 { values.append(batch[n, ch, h, w]) } } }
                    let m = values.reduce(0, +) / Double(values.count)
                    let unbiased = values.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(values.count - 1)
                    mean[ch] = (1 - factor) * mean[ch] + factor * m
                    variance[ch] = (1 - factor) * variance[ch] + factor * unbiased
                }
            }
            #expect(bd.batchesTracked!.value.item() == 3 && bf.batchesTracked!.value.item() == 3)
            for ch in 0..<2 {
                #expect(Swift.abs(bd.runningMean!.value.scalars[ch] - mean[ch]) < 1e-12)
                #expect(Swift.abs(bd.runningVar!.value.scalars[ch] - variance[ch]) < 1e-12)
                #expect(Swift.abs(Double(bf.runningMean!.value.scalars[ch]) - mean[ch]) < 1e-5)
                #expect(Swift.abs(Double(bf.runningVar!.value.scalars[ch]) - variance[ch]) < 1e-5 * variance[ch])
            }
        }
        // Without running statistics, eval mode uses the batch's.
        let plain = BatchNorm2d<Double>(2, affine: false, trackRunningStats: false)
        #expect(plain.namedParameters().isEmpty && plain.namedBuffers().isEmpty)
        plain.eval()
        let y = plain(batches[0])
        #expect(Swift.abs(y.mean().item()) < 1e-12)
    }

    /// A small CNN (conv, batch norm, pools, transposed conv) trains: the loss falls.
    @Test func smallNetworkLearns() {
        var g = SplitMix64(seed: 19)
        let conv = Conv2d<Float>(1, 4, kernelSize: 3, padding: 1, using: &g)
        let bn = BatchNorm2d<Float>(4)
        let up = ConvTranspose2d<Float>(4, 1, kernelSize: 2, stride: 2, using: &g)
        let input = Tensor<Float>.randomNormal([4, 1, 8, 8], using: &g)
        let target = input // an autoencoder through a 2x bottleneck
        let parameters = [conv.weight, conv.bias!, bn.weight!, bn.bias!, up.weight, up.bias!]
        func loss() -> Tensor<Float> {
            let h = MaxPool2d<Float>(kernelSize: 2)(bn(conv(input)).relu())
            let d = up(h) - target
            return (d * d).mean()
        }
        let first = loss().item()
        for _ in 0..<150 {
            for p in parameters { p.zeroGrad() }
            loss().backward()
            for p in parameters { p.assign(p.value.detached() - p.grad! * 0.2) }
        }
        #expect(loss().item() < 0.5 * first)
    }
}
