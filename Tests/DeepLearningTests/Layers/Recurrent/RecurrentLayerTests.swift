import Testing
@testable import DeepLearning

/// Shapes, names, initialisation, state handling and truncated BPTT of the
/// recurrent layers (the gradients are RecurrentGradientTests').
@Suite struct RecurrentLayerTests {
    @Test func parameterNamesAndShapesArePyTorchs() {
        var g = SplitMix64(seed: 1)
        let lstm = LSTM<Float>(inputSize: 5, hiddenSize: 3, layerCount: 2, using: &g)
        let shapes = lstm.namedParameters().map { "\($0.name) \($0.parameter.shape)" }
        #expect(shapes == ["weight_ih_l0 [12, 5]", "weight_hh_l0 [12, 3]", "bias_ih_l0 [12]", "bias_hh_l0 [12]",
                           "weight_ih_l1 [12, 3]", "weight_hh_l1 [12, 3]", "bias_ih_l1 [12]", "bias_hh_l1 [12]"])
        let cell = GRUCell<Float>(inputSize: 2, hiddenSize: 4, bias: false, using: &g)
        #expect(cell.namedParameters().map(\.name) == ["weight_ih", "weight_hh"])
    }

    @Test func lstmStartsWithTheForgetBiasAndPyTorchsBounds() {
        var g = SplitMix64(seed: 2)
        let h = 50
        let lstm = LSTM<Double>(inputSize: 7, hiddenSize: h, forgetBias: 1, using: &g)
        let bias = lstm.layerParameters[0][2].value.scalars
        #expect(bias[h..<2 * h].allSatisfy { $0 == 1 })
        let bound = 1 / Double(h).squareRoot()
        let others = Array(bias[0..<h]) + Array(bias[2 * h..<4 * h]) + lstm.layerParameters[0][0].value.scalars
        #expect(others.allSatisfy { abs($0) <= bound })
        #expect(others.max()! > bound * 0.9 && others.min()! < -bound * 0.9)
    }

    @Test(arguments: RecurrentKind.allCases)
    func outputsAndFinalStateShapes(kind: RecurrentKind) {
        var g = SplitMix64(seed: 3)
        let stack = RecurrentGradientTests.stack(kind, input: 4, hidden: 6, layers: 3, dropout: 0, using: &g)
        let x = Tensor<Double>.randomNormal([2, 5, 4], using: &g)
        let (output, state) = stack(x, state: nil)
        #expect(output.shape == [2, 5, 6])
        #expect(state.count == 3)
        #expect(state.allSatisfy { $0.h.shape == [2, 6] && ($0.c?.shape == (kind == .lstm ? [2, 6] : nil)) })
        // The last layer's final h is its output at the last step.
        #expect(state[2].h.scalars == output.slice([0..<2, 4..<5, 0..<6]).scalars)
    }

    /// A stack run over a sequence in two chunks, the state carried across,
    /// gives the outputs of one run over the whole sequence: the state is
    /// everything a step needs. This is what truncated BPTT and the C
    /// runtime's kept state rely on.
    @Test(arguments: RecurrentKind.allCases)
    func chunksWithCarriedStateEqualOneRun(kind: RecurrentKind) {
        var g = SplitMix64(seed: 4)
        let stack = RecurrentGradientTests.stack(kind, input: 3, hidden: 5, layers: 2, dropout: 0, using: &g)
        let x = Tensor<Double>.randomNormal([2, 7, 3], using: &g)
        let whole = stack(x, state: nil)
        let first = stack(x.slice(axis: 1, 0..<3), state: nil)
        let second = stack(x.slice(axis: 1, 3..<7), state: first.state)
        let joined = Tensor.concatenate([first.output, second.output], axis: 1)
        #expect(zip(joined.scalars, whole.output.scalars).allSatisfy { abs($0 - $1) < 1e-12 })
    }

    /// Truncated BPTT: the carried state is detached, so the second chunk's
    /// loss sends no gradient into the first chunk's input, while the
    /// undetached state does.
    @Test func detachedStateStopsGradients() {
        var g = SplitMix64(seed: 5)
        let lstm = LSTM<Double>(inputSize: 3, hiddenSize: 4, using: &g)
        var first = Tensor<Double>.randomNormal([2, 3, 3], using: &g)
        first.requiresGrad = true
        let second = Tensor<Double>.randomNormal([2, 3, 3], using: &g)
        let carried = lstm(first, state: nil).state
        lstm(second, state: carried.map { $0.detached() }).output.sum().backward()
        #expect(first.grad == nil)
        lstm(second, state: carried).output.sum().backward()
        #expect(first.grad.map { $0.scalars.contains { $0 != 0 } } == true)
    }

    @Test func dropoutActsOnlyBetweenLayersInTraining() {
        var g = SplitMix64(seed: 6)
        let one = LSTM<Double>(inputSize: 3, hiddenSize: 4, layerCount: 1, dropout: 0.9, using: &g)
        let x = Tensor<Double>.randomNormal([2, 3, 3], using: &g)
        #expect(one(x).scalars == one(x).scalars)  // one layer: no dropout at all
        let two = LSTM<Double>(inputSize: 3, hiddenSize: 4, layerCount: 2, dropout: 0.9, using: &g)
        #expect(two(x).scalars != two(x).scalars)
        _ = two.eval()
        #expect(two(x).scalars == two(x).scalars)
    }

    /// Float (C gemm, specialised loops) agrees with Double (reference) on
    /// the same weights, forward and backward.
    @Test(arguments: RecurrentKind.allCases)
    func floatAgreesWithDouble(kind: RecurrentKind) {
        var g = SplitMix64(seed: 7)
        let reference = RecurrentGradientTests.stack(kind, input: 6, hidden: 16, layers: 2, dropout: 0, using: &g)
        var g32 = SplitMix64(seed: 7)
        let single: RecurrentStack<Float> = {
            switch kind {
            case .lstm: return LSTM(inputSize: 6, hiddenSize: 16, layerCount: 2, using: &g32)
            case .gru: return GRU(inputSize: 6, hiddenSize: 16, layerCount: 2, using: &g32)
            case .rnn: return RNN(inputSize: 6, hiddenSize: 16, layerCount: 2, using: &g32)
            }
        }()
        for (p64, p32) in zip(reference.parameters(), single.parameters()) { p32.assign(p64.value.converted(to: Float.self)) }
        let x = Tensor<Double>.randomNormal([3, 9, 6], using: &g)
        reference(x).squared().sum().backward()
        single(x.converted(to: Float.self)).squared().sum().backward()
        let y64 = withNoGrad { reference(x) }, y32 = withNoGrad { single(x.converted(to: Float.self)) }
        #expect(zip(y64.scalars, y32.scalars).allSatisfy { abs($0 - Double($1)) < 1e-5 })
        for (p64, p32) in zip(reference.parameters(), single.parameters()) {
            let scale = p64.grad!.scalars.map(abs).max()!
            #expect(zip(p64.grad!.scalars, p32.grad!.scalars).allSatisfy { abs($0 - Double($1)) <= 1e-4 * max(scale, 1) })
        }
    }
}
