import Testing
@testable import DeepLearning

/// Fake quantization and its straight-through gradient, checked against
/// grids worked out by hand: ranges chosen so that the scale is a power of
/// two and every expected value is exact.
@Suite struct FakeQuantizationTests {
    /// [-2, 127/64]: scale 1/64, zero point 0, codes -128...127.
    static let symmetricRange = ActivationQuantization(range: -2...Float(127) / 64)

    @Test func activationGridRoundingAndClamping() {
        let q = Self.symmetricRange
        #expect(q.scale == 1.0 / 64 && q.zeroPoint == 0)
        // On the grid: unchanged. Halfway: to even (the runtime's quantize). Beyond: clamped.
        let x: [Float] = [0, 5.0 / 64, -128.0 / 64, 127.0 / 64, 2.5 / 64, 3.5 / 64, -2.5 / 64, 2.6 / 64, 5, -5]
        let expected: [Float] = [0, 5.0 / 64, -2, 127.0 / 64, 2.0 / 64, 4.0 / 64, -2.0 / 64, 3.0 / 64, 127.0 / 64, -2]
        #expect(Tensor(x).fakeQuantized(q).scalars == expected)
    }

    @Test func asymmetricRangeHasZeroPointAndExactZero() {
        // [0, 255/64]: scale 1/64, zero point -128; negatives clamp to 0.
        let q = ActivationQuantization(range: 0...Float(255) / 64)
        #expect(q.scale == 1.0 / 64 && q.zeroPoint == -128)
        let x: [Float] = [0, -0.1, 255.0 / 64, 300, 200.5 / 64]
        let expected: [Float] = [0, 0, 255.0 / 64, 255.0 / 64, 200.0 / 64]
        #expect(Tensor(x).fakeQuantized(q).scalars == expected)
    }

    @Test func zeroRangeDoesNotDivideByZero() {
        let q = ActivationQuantization(range: 0...0)
        let y = Tensor<Float>([0, 0.3, 2.6, -1.5]).fakeQuantized(q)
        #expect(y.scalars.allSatisfy { $0.isFinite })
        #expect(y.scalars == [0, 0, 3, -2]) // scale 1: whole numbers, ties to even
    }

    @Test func straightThroughGradientPassesOnlyInsideTheRange() {
        let q = Self.symmetricRange // representable: [-2, 127/64]
        let values: [Double] = [-3, -2, -1.999, 0.3, 1.98, 127.0 / 64, 2, 10]
        let inside: [Double] = [0, 1, 1, 1, 1, 1, 0, 0]
        var x = Tensor<Double>(values)
        x.requiresGrad = true
        let seed = Tensor<Double>([0.5, -1.25, 2, 3, -4, 5.5, 6, 7])
        x.fakeQuantized(q).backward(seed)
        #expect(x.grad?.scalars == zip(seed.scalars, inside).map { $0 * $1 })
    }

    @Test func weightsPerChannelSymmetricHalfAwayFromZero() {
        // Channel 0: max 127/64, scale 1/64. Channel 1: zeros. Channel 2: max 254/64, scale 2/64.
        // Channel 3: too small for a normal scale, stored as zeros as the exporter does.
        let w = Tensor<Float>(shape: [4, 3], scalars: [127.0 / 64, -2.5 / 64, 1.5 / 64,
                                                       0, 0, 0,
                                                       -254.0 / 64, 3.0 / 64, 1.0 / 64,
                                                       1e-40, -1e-40, 0])
        let expected: [Float] = [127.0 / 64, -3.0 / 64, 2.0 / 64,
                                 0, 0, 0,
                                 -254.0 / 64, 4.0 / 64, 2.0 / 64,
                                 0, 0, 0]
        #expect(w.fakeQuantizedPerChannel().scalars == expected)
        #expect(SymmetricWeightQuantization.scale(largestMagnitude: 127.0 / 64) == 1.0 / 64)
        #expect(SymmetricWeightQuantization.scale(largestMagnitude: 0) == nil)
        #expect(SymmetricWeightQuantization.quantize(-200, scale: 1) == -127)
    }

    @Test func weightGradientPassesThrough() {
        var w = Tensor<Double>(shape: [2, 2], scalars: [0.3, -0.7, 0, 0])
        w.requiresGrad = true
        let seed = Tensor<Double>(shape: [2, 2], scalars: [1, 2, 3, 4])
        w.fakeQuantizedPerChannel().backward(seed)
        #expect(w.grad?.scalars == seed.scalars)
    }

    @Test func observerMovingAverageAndEvaluationFreeze() {
        let observer = ActivationObserver<Float>()
        #expect(observer.quantization == nil)
        observer.observe(Tensor([-1, 0.5, 2]))
        #expect(observer.range.value.scalars == [-1, 2])
        observer.observe(Tensor([-3, 0, .nan]))
        let m: Float = 0.01, lo: Float = -1 + m * (-3 - -1), hi: Float = 2 + m * (0 - 2)
        #expect(observer.range.value.scalars == [lo, hi])
        #expect(observer.batches.value.item() == 2)
        #expect(observer.quantization == ActivationQuantization(range: lo...hi))

        // A layer observes in training mode only; evaluation uses the stored range.
        var g = SplitMix64(seed: 3)
        let layer = Linear<Float>(3, 2, using: &g)
        layer.enableFakeQuantization()
        let x = Tensor<Float>(shape: [2, 3], scalars: [-1, 0.25, 0.5, 0.75, 1, 1.5])
        _ = layer(x)
        let observed = layer.stateDict()
        #expect(observed["input_range"]?.scalars == [-1, 1.5] && observed["input_batches"]?.item() == 1)
        layer.eval()
        let wide = Tensor<Float>(shape: [1, 3], scalars: [-9, 0, 9])
        let y = layer(wide)
        #expect(layer.stateDict()["input_range"] == observed["input_range"])
        let quantized = ActivationQuantization(range: -1...1.5)
        let reference = wide.fakeQuantized(quantized).linear(weight: layer.weight.value.fakeQuantizedPerChannel(),
                                                             bias: layer.bias?.value)
        #expect(y.scalars == reference.scalars)
        #expect(reference.scalars != wide.linear(weight: layer.weight.value, bias: layer.bias?.value).scalars)
    }

    @Test func observerBuffersRoundTripThroughTheStateDict() throws {
        let model = try ModelZoo.make("lenet5", classes: 10, inputShape: [1, 28, 28], seed: 1)
        let fp32Keys = model.stateDict().keys
        #expect(model.enableFakeQuantization() == 5 && model.usesFakeQuantization)
        var g = SplitMix64(seed: 4)
        _ = model(Tensor.randomNormal([2, 1, 28, 28], using: &g))
        let state = model.stateDict()
        #expect(state.keys.count == fp32Keys.count + 10 && state["conv1.input_batches"]?.item() == 1)

        let copy = try ModelZoo.make("lenet5", classes: 10, inputShape: [1, 28, 28], seed: 2)
        #expect(throws: StateDictError.self) { try copy.load(state) } // unexpected observer keys
        copy.enableFakeQuantization()
        try copy.load(state)
        for (key, tensor) in state {
            #expect(copy.stateDict()[key]?.scalars.map(\.bitPattern) == tensor.scalars.map(\.bitPattern), "\(key)")
        }
        copy.disableFakeQuantization()
        #expect(!copy.usesFakeQuantization && copy.stateDict().keys == state.keys)
    }
}
