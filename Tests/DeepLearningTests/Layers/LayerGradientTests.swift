import Testing
@testable import DeepLearning

/// Finite-difference gradient checks (Float64) of the layers: input
/// gradients through the core's `GradientCheck`, parameter gradients
/// through `ModuleGradientCheck`, both below `GradientCheck.tolerance`.
@Suite struct LayerGradientTests {
    static func expectSmall(_ result: GradientCheck.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.maxError < GradientCheck.tolerance, "\(result)", sourceLocation: sourceLocation)
    }

    static func x(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { GradientCheck.input(shape, seed: seed) }

    @Test func linearFunction() {
        // All three inputs, with and without bias, 2-D and 3-D inputs.
        Self.expectSmall(GradientCheck.check([Self.x([3, 4], 1), Self.x([5, 4], 2), Self.x([5], 3)]) {
            $0[0].linear(weight: $0[1], bias: $0[2])
        })
        Self.expectSmall(GradientCheck.check([Self.x([2, 3, 4], 4), Self.x([2, 4], 5)]) {
            $0[0].linear(weight: $0[1])
        })
    }

    @Test func linearModule() {
        var g = SplitMix64(seed: 11)
        let layer = Linear<Double>(4, 3, using: &g)
        let input = Self.x([5, 4], 12)
        Self.expectSmall(GradientCheck.check([input]) { layer($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(layer, input: input))
    }

    @Test func embedding() {
        let indices = [2, 0, 2, 4, 1, 2] // 2 repeats: its gradient rows add up
        Self.expectSmall(GradientCheck.check([Self.x([5, 3], 21)]) { $0[0].gatherRows(indices) })
        let table = Embedding<Double>(weight: Self.x([5, 3], 22))
        let input = Tensor<Double>(shape: [2, 3], scalars: indices.map(Double.init))
        #expect(table(input).shape == [2, 3, 3])
        Self.expectSmall(ModuleGradientCheck.check(table, input: input))
        // Rows never used get a zero gradient.
        table.zeroGrad()
        (table([1, 1]) * 2).sum().backward()
        #expect(table.weight.grad!.scalars == [0, 0, 0, 4, 4, 4] + [Double](repeating: 0, count: 9))
    }

    @Test(arguments: [[6, 3], [4, 3, 5]])
    func batchNormTrainMode(shape: [Int]) {
        let bn = BatchNorm1d<Double>(3)
        bn.weight!.assign(Self.x([3], 31))
        bn.bias!.assign(Self.x([3], 32))
        let input = Self.x(shape, 33)
        // Gradients flow through the batch mean and variance.
        Self.expectSmall(GradientCheck.check([input]) { bn($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(bn, input: input))
    }

    @Test func batchNormEvalMode() {
        let bn = BatchNorm1d<Double>(3)
        bn.runningMean!.value = Self.x([3], 34)
        bn.runningVar!.value = GradientCheck.input([3], seed: 35, low: 0.5, high: 2)
        bn.weight!.assign(Self.x([3], 36))
        bn.eval()
        let input = Self.x([4, 3], 37)
        Self.expectSmall(GradientCheck.check([input]) { bn($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(bn, input: input))
    }

    @Test func dropoutWithFixedMask() {
        let dropout = Dropout<Double>(p: 0.4, seed: 41)
        let reset = { dropout.generator = SplitMix64(seed: 41) }
        Self.expectSmall(GradientCheck.check([Self.x([4, 5], 42)]) { xs in
            reset()
            return dropout(xs[0])
        })
        // The gradient is the mask itself.
        reset()
        let mask = dropout.nextMask([4, 5])
        reset()
        var x = Self.x([4, 5], 43)
        x.requiresGrad = true
        dropout(x).sum().backward()
        #expect(x.grad! == mask)
    }

    @Test func sequentialOfLayers() {
        var g = SplitMix64(seed: 51)
        let model = Sequential<Double>(Linear(4, 6, using: &g), Tanh(), Linear(6, 3, using: &g), LeakyReLU(negativeSlope: 0.2),
                                       Linear(3, 2, using: &g), LogSoftmax())
        let input = Self.x([3, 4], 52)
        Self.expectSmall(GradientCheck.check([input]) { model($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(model, input: input))
    }
}
