import Testing
@testable import DeepLearning

/// The composition modules: naming (inlined bodies and branches), forward
/// values, flop counting, and Float64 gradient checks of inputs and
/// parameters on tiny configurations.
@Suite struct CompositionTests {
    static func expectSmall(_ result: GradientCheck.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(result.maxError < GradientCheck.tolerance, "\(result)", sourceLocation: sourceLocation)
    }

    @Test func residualNamesAndValues() throws {
        var g = SplitMix64(seed: 1)
        let body = NamedSequential<Double>(("conv1", Conv2d<Double>(2, 2, kernelSize: 3, padding: 1, using: &g)),
                                           ("relu", ReLU<Double>()))
        let inlined = Residual(body, bodyName: nil, shortcut: Conv2d<Double>(2, 2, kernelSize: 1, using: &g),
                               shortcutName: "downsample", activation: ReLU<Double>())
        #expect(inlined.namedParameters().map(\.name) == ["conv1.weight", "conv1.bias", "downsample.weight", "downsample.bias"])
        let named = Residual<Double>(body)
        #expect(named.namedParameters().map(\.name) == ["body.conv1.weight", "body.conv1.bias"])
        // Identity shortcut: y = body(x) + x.
        let x = GradientCheck.input([2, 2, 3, 3], seed: 2)
        #expect(named(x) == body(x) + x)
        #expect(try named.flops(inputShape: [2, 3, 3]).macs == 3 * 3 * 2 * 2 * 9)
    }

    @Test func residualGradients() {
        var g = SplitMix64(seed: 3)
        let body = Sequential<Double>(Conv2d<Double>(2, 3, kernelSize: 3, stride: 2, padding: 1, using: &g),
                                      BatchNorm2d<Double>(3), ReLU<Double>(),
                                      Conv2d<Double>(3, 3, kernelSize: 3, padding: 1, bias: false, using: &g))
        let shortcut = Sequential<Double>(Conv2d<Double>(2, 3, kernelSize: 1, stride: 2, bias: false, using: &g))
        let block = Residual(body, shortcut: shortcut, activation: Tanh<Double>())
        let x = GradientCheck.input([2, 2, 4, 4], seed: 4)
        #expect(block(x).shape == [2, 3, 2, 2])
        Self.expectSmall(GradientCheck.check([x]) { block($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(block, input: x))
        // Option A shortcut (subsample + zero channels), as in the CIFAR ResNets.
        let a = Residual(Conv2d<Double>(2, 4, kernelSize: 3, stride: 2, padding: 1, using: &g),
                         shortcut: ZeroPadShortcut<Double>(stride: 2, padChannels: 1))
        let y = GradientCheck.input([1, 2, 5, 5], seed: 5)
        #expect(a(y).shape == [1, 4, 3, 3])
        Self.expectSmall(GradientCheck.check([y]) { a($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(a, input: y))
    }

    @Test func zeroPadShortcutValues() throws {
        let x = Tensor<Double>(shape: [1, 1, 3, 3], scalars: (1...9).map(Double.init))
        let y = ZeroPadShortcut<Double>(stride: 2, padChannels: 1)(x)
        #expect(y.shape == [1, 3, 2, 2])
        #expect(y.scalars == [0, 0, 0, 0, 1, 3, 7, 9, 0, 0, 0, 0])
        #expect(try ZeroPadShortcut<Double>(stride: 2, padChannels: 1).outputShape(inputShape: [1, 3, 3]) == [3, 2, 2])
    }

    @Test func concatNamesValuesAndGradients() throws {
        var g = SplitMix64(seed: 6)
        let inception = Concat<Double>(("branch1", Conv2d<Double>(2, 1, kernelSize: 1, using: &g)),
                                       ("branch2", Sequential<Double>(Conv2d<Double>(2, 2, kernelSize: 3, padding: 1, using: &g), Tanh<Double>())),
                                       ("branch3", Sequential<Double>(MaxPool2d<Double>(kernelSize: 3, stride: 1, padding: 1),
                                                                      Conv2d<Double>(2, 1, kernelSize: 1, using: &g))))
        #expect(inception.namedParameters().map(\.name)
                == ["branch1.weight", "branch1.bias", "branch2.0.weight", "branch2.0.bias", "branch3.1.weight", "branch3.1.bias"])
        let x = OpsGradientTests.distinct([2, 2, 3, 3], 7)
        let y = inception(x)
        #expect(y.shape == [2, 4, 3, 3])
        #expect(y.slice(axis: 1, 0..<1) == inception.branches[0].module(x))
        #expect(try inception.flops(inputShape: [2, 3, 3]).outputShape == [4, 3, 3])
        Self.expectSmall(GradientCheck.check([x]) { inception($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(inception, input: x))
    }

    /// DenseNet's layer: y = [x, f(x)], f inlined so names sit directly under the layer.
    @Test func denseConcat() throws {
        var g = SplitMix64(seed: 8)
        let body = NamedSequential<Double>(("norm1", BatchNorm2d<Double>(2)), ("relu1", ReLU<Double>()),
                                           ("conv1", Conv2d<Double>(2, 3, kernelSize: 3, padding: 1, bias: false, using: &g)))
        let layer = Concat<Double>([(name: nil, module: body)], includeInput: true)
        #expect(layer.namedParameters().map(\.name) == ["norm1.weight", "norm1.bias", "conv1.weight"])
        #expect(layer.namedBuffers().map(\.name) == ["norm1.running_mean", "norm1.running_var", "norm1.num_batches_tracked"])
        let x = GradientCheck.input([2, 2, 3, 3], seed: 9)
        let y = layer(x)
        #expect(y.shape == [2, 5, 3, 3] && y.slice(axis: 1, 0..<2) == x)
        #expect(try layer.flops(inputShape: [2, 3, 3]).outputShape == [5, 3, 3])
        layer.eval()
        #expect(body[0].isTraining == false)
        layer.train()
        Self.expectSmall(GradientCheck.check([x]) { layer($0[0]) })
        Self.expectSmall(ModuleGradientCheck.check(layer, input: x))
    }

    @Test func adaptiveAvgPool() {
        let x = GradientCheck.input([2, 3, 5, 7], seed: 10)
        let pool = AdaptiveAvgPool2d<Double>(outputSize: Size2d(2, 3))
        let y = pool(x)
        #expect(y.shape == [2, 3, 2, 3])
        // Cell (1, 2): rows 2..<5, columns 4..<7 (PyTorch's floor/ceil windows).
        let expected = x.slice([0..<1, 1..<2, 2..<5, 4..<7]).mean().item()
        #expect(abs(y[0, 1, 1, 2] - expected) < 1e-12)
        Self.expectSmall(GradientCheck.check([x]) { pool($0[0]) })
        // Upsampling (1x1 -> 7x7) repeats, identity when sizes match, divisible sizes pool.
        let one = GradientCheck.input([1, 2, 1, 1], seed: 11)
        #expect(AdaptiveAvgPool2d<Double>(outputSize: 7)(one).scalars == one.scalars.flatMap { [Double](repeating: $0, count: 49) })
        #expect(AdaptiveAvgPool2d<Double>(outputSize: Size2d(5, 7))(x) == x)
        #expect(AdaptiveAvgPool2d<Double>(outputSize: 2)(GradientCheck.input([1, 1, 4, 4], seed: 12)).shape == [1, 1, 2, 2])
    }

    @Test func namedSequentialLookup() {
        let model = NamedSequential<Double>(("a", ReLU<Double>()), ("b", Tanh<Double>()))
        #expect(model["b"] is Tanh<Double> && model["c"] == nil && model.count == 2)
    }
}
