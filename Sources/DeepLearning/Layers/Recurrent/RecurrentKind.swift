/// The three recurrent cells, and one layer of each over a sequence: the
/// input projection for all steps at once (`linear` over B·T rows), then the
/// sequence op (`lstmSequence`, `gruSequence`, `rnnSequence`), which runs the
/// per-step hidden products and backpropagation through time.
public enum RecurrentKind: String, Sendable, CaseIterable {
    /// Elman RNN, h_t = tanh(W_ih·x_t + b_ih + W_hh·h_{t-1} + b_hh).
    case rnn
    /// LSTM with gates i, f, g, o (PyTorch's row order in W_ih and W_hh).
    case lstm
    /// GRU with gates r, z, n (PyTorch's row order).
    case gru

    /// Rows of W_ih and W_hh per hidden unit.
    public var gateCount: Int {
        switch self {
        case .rnn: return 1
        case .lstm: return 4
        case .gru: return 3
        }
    }

    /// The weights of one layer (or cell), PyTorch's shapes: W_ih [G·H, I],
    /// W_hh [G·H, H], b_ih and b_hh [G·H] or nil.
    struct Weights<Scalar: TensorScalar> {
        let inputWeight: Tensor<Scalar>
        let hiddenWeight: Tensor<Scalar>
        let inputBias: Tensor<Scalar>?
        let hiddenBias: Tensor<Scalar>?
    }

    /// One layer over `input` [B, T, I] from `state` (each [B, H]): every
    /// step's h [B, T, H] and the final state.
    func layer<Scalar>(_ input: Tensor<Scalar>, _ w: Weights<Scalar>,
                       state: RecurrentState<Scalar>) -> (output: Tensor<Scalar>, state: RecurrentState<Scalar>) {
        let (batch, steps) = (input.shape[0], input.shape[1])
        let hidden = w.hiddenWeight.shape[1]
        var projection = input.linear(weight: w.inputWeight, bias: w.inputBias)
        let output: Tensor<Scalar>
        switch self {
        case .lstm:
            if let b = w.hiddenBias { projection = projection + b }
            let c0 = state.c ?? .zeros([batch, hidden])
            let packed = Tensor.lstmSequence(gates: projection, hiddenWeight: w.hiddenWeight, h0: state.h, c0: c0)
            output = packed.slice(axis: 2, 0..<hidden)
            let c = packed.slice([0..<batch, steps - 1..<steps, hidden..<2 * hidden]).reshaped([batch, hidden])
            return (output, RecurrentState(h: Self.last(output), c: c))
        case .gru:
            output = Tensor.gruSequence(x: projection, hiddenWeight: w.hiddenWeight, hiddenBias: w.hiddenBias,
                                        h0: state.h)
        case .rnn:
            if let b = w.hiddenBias { projection = projection + b }
            output = Tensor.rnnSequence(x: projection, hiddenWeight: w.hiddenWeight, h0: state.h)
        }
        return (output, RecurrentState(h: Self.last(output)))
    }

    /// The last step of [B, T, H], as [B, H].
    private static func last<Scalar>(_ output: Tensor<Scalar>) -> Tensor<Scalar> {
        let (b, t, h) = (output.shape[0], output.shape[1], output.shape[2])
        return output.slice([0..<b, t - 1..<t, 0..<h]).reshaped([b, h])
    }

    /// PyTorch's initialisation: every weight and bias uniform in ±1/√H;
    /// for the LSTM, b_ih's forget block is then set to `forgetBias` (1 is
    /// the usual choice: the cell starts by remembering, which helps
    /// gradients flow through long sequences; Jozefowicz et al. 2015).
    func initialWeights<Scalar, G: RandomNumberGenerator>(
        input: Int, hidden: Int, bias: Bool, forgetBias: Scalar?, using generator: inout G
    ) -> [Tensor<Scalar>] {
        let rows = gateCount * hidden
        let bound = Scalar(1 / Double(hidden).squareRoot())
        func uniform(_ shape: [Int]) -> Tensor<Scalar> {
            .randomUniform(shape, low: -bound, high: bound, using: &generator)
        }
        var weights = [uniform([rows, input]), uniform([rows, hidden])]
        guard bias else { return weights }
        var inputBias = uniform([rows])
        if self == .lstm, let forgetBias {
            for j in hidden..<2 * hidden { inputBias[j] = forgetBias }
        }
        weights += [inputBias, uniform([rows])]
        return weights
    }
}
