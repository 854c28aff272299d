import Testing
@testable import DeepLearning

/// Layer forward behaviour: PyTorch's initialisation ranges, batch norm's
/// running statistics, dropout's scaling and modes, naming.
@Suite struct LayerTests {
    @Test func linearDefaultInitIsPyTorchs() {
        var g = SplitMix64(seed: 1)
        let layer = Linear<Float>(64, 32, using: &g)
        let bound: Float = 1 / 8
        #expect(layer.weight.shape == [32, 64] && layer.bias!.shape == [32])
        #expect(layer.weight.value.scalars.allSatisfy { abs($0) <= bound })
        #expect(layer.bias!.value.scalars.allSatisfy { abs($0) <= bound })
        // Uniform in ±b has standard deviation b / √3.
        let w = layer.weight.value.scalars
        let std = (w.map { $0 * $0 }.reduce(0, +) / Float(w.count)).squareRoot()
        #expect(abs(std - bound / Float(3).squareRoot()) < 0.005)
        // Seeded: reproducible.
        var g2 = SplitMix64(seed: 1)
        #expect(Linear<Float>(64, 32, using: &g2).weight.value == layer.weight.value)
        #expect(layer(Tensor<Float>.zeros([7, 64])).shape == [7, 32])
        #expect(Linear<Float>(3, 2, bias: false).ownParameters.map(\.name) == ["weight"])
    }

    @Test func initFormulas() {
        var g = SplitMix64(seed: 2)
        func std(_ t: Tensor<Double>) -> Double { (t.scalars.map { $0 * $0 }.reduce(0, +) / Double(t.count)).squareRoot() }
        // [out 200, in 100, 3, 3]: fan_in 900, fan_out 1800.
        #expect(Init.fans([200, 100, 3, 3]) == (fanIn: 900, fanOut: 1800))
        let shape = [200, 100, 3, 3]
        let xu: Tensor<Double> = Init.xavierUniform(shape, gain: 2, using: &g)
        #expect(xu.scalars.allSatisfy { abs($0) <= 2 * (6.0 / 2700).squareRoot() })
        #expect(abs(std(xu) / (2 * (2.0 / 2700).squareRoot()) - 1) < 0.02)
        let xn: Tensor<Double> = Init.xavierNormal(shape, using: &g)
        #expect(abs(std(xn) / (2.0 / 2700).squareRoot() - 1) < 0.02)
        let ku: Tensor<Double> = Init.kaimingUniform(shape, nonlinearity: .relu, using: &g)
        #expect(ku.scalars.allSatisfy { abs($0) <= 2.0.squareRoot() * (3.0 / 900).squareRoot() })
        let kn: Tensor<Double> = Init.kaimingNormal(shape, a: 0.1, mode: .fanOut, using: &g)
        #expect(abs(std(kn) / ((2 / 1.01).squareRoot() / 1800.0.squareRoot()) - 1) < 0.02)
        #expect(Init.gain(.tanh) == 5.0 / 3 && Init.gain(.leakyRelu(negativeSlope: 0.2)) == (2 / 1.04).squareRoot())
    }

    @Test func batchNormRunningStatisticsFollowPyTorch() {
        let bn = BatchNorm1d<Double>(2, momentum: 0.1)
        let x = Tensor<Double>(shape: [4, 2], scalars: [1, 10, 2, 20, 3, 30, 6, 40])
        let y = bn(x)
        // Batch statistics: mean (3, 25), biased var (3.5, 125), unbiased (14/3, 500/3).
        #expect(abs(y[0, 0] - (1 - 3) / (3.5 + 1e-5).squareRoot()) < 1e-12)
        #expect(abs(bn.runningMean!.value[0] - 0.3) < 1e-12 && abs(bn.runningMean!.value[1] - 2.5) < 1e-12)
        #expect(abs(bn.runningVar!.value[0] - (0.9 + 0.1 * 14 / 3)) < 1e-12)
        #expect(abs(bn.runningVar!.value[1] - (0.9 + 0.1 * 500 / 3)) < 1e-12)
        #expect(bn.batchesTracked!.value.item() == 1)
        // Eval: running statistics, no update.
        bn.eval()
        let e = bn(x)
        #expect(abs(e[0, 0] - (1 - 0.3) / (0.9 + 0.1 * 14 / 3 + 1e-5).squareRoot()) < 1e-12)
        #expect(bn.batchesTracked!.value.item() == 1)
        // momentum nil: cumulative average.
        let cumulative = BatchNorm1d<Double>(2, momentum: nil)
        _ = cumulative(x)
        _ = cumulative(x * 3)
        #expect(abs(cumulative.runningMean!.value[0] - (3 + 9) / 2) < 1e-12)
        #expect(bn.stateDict().keys == ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"])
    }

    @Test func frozenBatchNormUsesAndKeepsItsRunningStatistics() {
        for bn in [BatchNorm1d<Double>(2) as BatchNorm<Double>, BatchNorm2d<Double>(2)] {
            var x = Tensor<Double>(shape: bn is BatchNorm2d<Double> ? [4, 2, 1, 1] : [4, 2],
                                   scalars: [1, 10, 2, 20, 3, 30, 6, 40])
            x.requiresGrad = true
            bn.runningMean!.value = Tensor([1, -1])
            bn.runningVar!.value = Tensor([4, 9])
            bn.freeze()
            #expect(!bn.usesBatchStatistics)
            let y = bn(x)
            // (x - running mean) / sqrt(running var + eps), statistics untouched.
            #expect(abs(y.scalars[0] - (1 - 1) / (4 + 1e-5).squareRoot()) < 1e-12)
            #expect(abs(y.scalars[1] - (10 + 1) / (9 + 1e-5).squareRoot()) < 1e-12)
            #expect(bn.runningMean!.value.scalars == [1, -1] && bn.batchesTracked!.value.item() == 0)
            // The input gradient of the per-channel affine map still flows.
            y.sum().backward()
            #expect(abs(x.grad!.scalars[1] - 1 / (9 + 1e-5).squareRoot()) < 1e-12)
            bn.unfreeze()
            #expect(bn.usesBatchStatistics)
            _ = bn(x)
            #expect(bn.batchesTracked!.value.item() == 1)
        }
    }

    @Test func dropoutScalesInTrainingAndIsIdentityInEval() {
        let dropout = Dropout<Float>(p: 0.25, seed: 3)
        let x = Tensor<Float>.ones([100, 100])
        let y = dropout(x)
        let kept = y.scalars.filter { $0 != 0 }
        #expect(kept.allSatisfy { abs($0 - 1 / 0.75) < 1e-6 })
        #expect(abs(Double(y.count - kept.count) / Double(y.count) - 0.25) < 0.02)
        dropout.eval()
        #expect(dropout(x) == x)
        #expect(Dropout<Float>(p: 1).nextMask([3]).scalars == [0, 0, 0])
    }

    @Test func sequentialNamesChildrenByIndex() {
        let model = Sequential<Float>(Linear(2, 3), ReLU(), Linear(3, 1), Sigmoid())
        #expect(model.stateDict().keys == ["0.weight", "0.bias", "2.weight", "2.bias"])
        #expect(model(Tensor<Float>.zeros([5, 2])).shape == [5, 1])
        let flat = Flatten<Float>()
        #expect(flat(Tensor<Float>.zeros([2, 3, 4])).shape == [2, 12])
        let softmax = Softmax<Float>()(Tensor<Float>(shape: [1, 2], scalars: [0, 0]))
        #expect(softmax.scalars == [0.5, 0.5])
    }
}
