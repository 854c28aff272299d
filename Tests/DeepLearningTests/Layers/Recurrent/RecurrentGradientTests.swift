import Testing
@testable import DeepLearning

/// Finite-difference gradient checks (Float64) of the recurrent sequence ops,
/// cells and multi-layer stacks, over several steps so that the checks run
/// through backpropagation in time, not just one step.
@Suite struct RecurrentGradientTests {
    static func expectSmall(_ result: GradientCheck.Result, sourceLocation: SourceLocation = #_sourceLocation) {
        LayerGradientTests.expectSmall(result, sourceLocation: sourceLocation)
    }

    static func x(_ shape: [Int], _ seed: UInt64) -> Tensor<Double> { GradientCheck.input(shape, seed: seed) }

    // MARK: sequence ops: every input, over 5 steps

    @Test func lstmSequenceOp() {
        let (b, t, h) = (2, 5, 3)
        Self.expectSmall(GradientCheck.check([Self.x([b, t, 4 * h], 1), Self.x([4 * h, h], 2), Self.x([b, h], 3),
                                              Self.x([b, h], 4)]) {
            Tensor.lstmSequence(gates: $0[0], hiddenWeight: $0[1], h0: $0[2], c0: $0[3])
        })
    }

    @Test func gruSequenceOp() {
        let (b, t, h) = (2, 5, 3)
        Self.expectSmall(GradientCheck.check([Self.x([b, t, 3 * h], 5), Self.x([3 * h, h], 6), Self.x([b, h], 7),
                                              Self.x([3 * h], 8)]) {
            Tensor.gruSequence(x: $0[0], hiddenWeight: $0[1], hiddenBias: $0[3], h0: $0[2])
        })
        Self.expectSmall(GradientCheck.check([Self.x([b, t, 3 * h], 9), Self.x([3 * h, h], 10), Self.x([b, h], 11)]) {
            Tensor.gruSequence(x: $0[0], hiddenWeight: $0[1], hiddenBias: nil, h0: $0[2])
        })
    }

    @Test func rnnSequenceOp() {
        let (b, t, h) = (3, 5, 4)
        Self.expectSmall(GradientCheck.check([Self.x([b, t, h], 12), Self.x([h, h], 13), Self.x([b, h], 14)]) {
            Tensor.rnnSequence(x: $0[0], hiddenWeight: $0[1], h0: $0[2])
        })
    }

    // MARK: cells: input, state and parameters

    @Test(arguments: RecurrentKind.allCases)
    func cell(kind: RecurrentKind) {
        var g = SplitMix64(seed: 20)
        let cell = Self.cell(kind, input: 3, hidden: 4, using: &g)
        let x = Self.x([2, 3], 21), h0 = Self.x([2, 4], 22), c0 = Self.x([2, 4], 23)
        Self.expectSmall(GradientCheck.check([x, h0, c0]) {
            let state = cell($0[0], state: RecurrentState(h: $0[1], c: kind == .lstm ? $0[2] : nil))
            return Tensor.concatenate([state.h] + (state.c.map { [$0] } ?? []), axis: 1)
        })
        Self.expectSmall(ModuleGradientCheck.check(cell, input: x))
    }

    // MARK: stacks: 2 layers over 4 steps, outputs and final states

    @Test(arguments: RecurrentKind.allCases)
    func stack(kind: RecurrentKind) {
        var g = SplitMix64(seed: 30)
        let stack = Self.stack(kind, input: 3, hidden: 4, layers: 2, dropout: 0, using: &g)
        let input = Self.x([2, 4, 3], 31)
        let initial = (0..<2).map { layer in
            RecurrentState(h: Self.x([2, 4], 32 + UInt64(layer)), c: kind == .lstm ? Self.x([2, 4], 34 + UInt64(layer)) : nil)
        }
        Self.expectSmall(GradientCheck.check([input] + initial.map(\.h)) { xs in
            let state = (0..<2).map { RecurrentState(h: xs[1 + $0], c: initial[$0].c) }
            let (output, final) = stack(xs[0], state: state)
            return Tensor.concatenate([output.flattened()] + final.flatMap { [$0.h.flattened()] + ($0.c.map { [$0.flattened()] } ?? []) })
        })
        Self.expectSmall(ModuleGradientCheck.check(stack, input: input))
    }

    /// Dropout between layers: with the mask generator reset before every
    /// forward pass the masks repeat, so the check sees one fixed function.
    @Test func stackWithDropout() {
        var g = SplitMix64(seed: 40)
        let stack = LSTM<Double>(inputSize: 3, hiddenSize: 4, layerCount: 3, dropout: 0.5, dropoutSeed: 9, using: &g)
        let start = stack.dropout.generator
        Self.expectSmall(ModuleGradientCheck.check(stack, input: Self.x([2, 3, 3], 41)) { stack.dropout.generator = start })
    }

    static func cell<G: RandomNumberGenerator>(_ kind: RecurrentKind, input: Int, hidden: Int,
                                               using g: inout G) -> RecurrentCell<Double> {
        switch kind {
        case .lstm: return LSTMCell(inputSize: input, hiddenSize: hidden, using: &g)
        case .gru: return GRUCell(inputSize: input, hiddenSize: hidden, using: &g)
        case .rnn: return RNNCell(inputSize: input, hiddenSize: hidden, using: &g)
        }
    }

    static func stack<G: RandomNumberGenerator>(_ kind: RecurrentKind, input: Int, hidden: Int, layers: Int,
                                                dropout: Double, using g: inout G) -> RecurrentStack<Double> {
        switch kind {
        case .lstm: return LSTM(inputSize: input, hiddenSize: hidden, layerCount: layers, dropout: dropout, using: &g)
        case .gru: return GRU(inputSize: input, hiddenSize: hidden, layerCount: layers, dropout: dropout, using: &g)
        case .rnn: return RNN(inputSize: input, hiddenSize: hidden, layerCount: layers, dropout: dropout, using: &g)
        }
    }
}
