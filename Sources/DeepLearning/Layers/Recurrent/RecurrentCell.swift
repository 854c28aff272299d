/// One step of a recurrent cell (PyTorch's `nn.RNNCell`, `nn.LSTMCell`,
/// `nn.GRUCell`), for loops that decide each step's input from the last
/// output (decoders, samplers). Parameters are named `weight_ih`,
/// `weight_hh`, `bias_ih`, `bias_hh` as in PyTorch. A step is the sequence
/// op at T = 1, so cells and `RecurrentStack` share one implementation.
public class RecurrentCell<Scalar: TensorScalar>: Module<Scalar> {
    public let kind: RecurrentKind
    public let inputSize: Int
    public let hiddenSize: Int
    /// W_ih, W_hh and (with biases) b_ih, b_hh.
    public let cellParameters: [Parameter<Scalar>]

    init<G: RandomNumberGenerator>(kind: RecurrentKind, inputSize: Int, hiddenSize: Int, bias: Bool,
                                   forgetBias: Scalar?, using generator: inout G) {
        precondition(inputSize > 0 && hiddenSize > 0, "\(kind) cell: sizes must be positive")
        self.kind = kind
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        cellParameters = kind.initialWeights(input: inputSize, hidden: hiddenSize, bias: bias, forgetBias: forgetBias,
                                             using: &generator).map { Parameter($0) }
        super.init()
    }

    public override var ownParameters: [(name: String, parameter: Parameter<Scalar>)] {
        Array(zip(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], cellParameters))
    }

    /// The state after one step on `input` [B, I] from `state` (nil: zeros).
    public func callAsFunction(_ input: Tensor<Scalar>, state: RecurrentState<Scalar>?) -> RecurrentState<Scalar> {
        precondition(input.rank == 2 && input.shape[1] == inputSize && input.shape[0] > 0,
                     "\(kind) cell: input must be [B, \(inputSize)], got \(input.shape)")
        let batch = input.shape[0]
        let start = state ?? .zeros(kind, batch: batch, hidden: hiddenSize)
        return kind.layer(input.reshaped([batch, 1, inputSize]), RecurrentStack.weights(cellParameters),
                          state: start).state
    }

    /// h after one step from a zero state.
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { self(input, state: nil).h }
}

public final class LSTMCell<Scalar: TensorScalar>: RecurrentCell<Scalar> {
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, bias: Bool = true, forgetBias: Scalar = 1,
                                          using generator: inout G) {
        super.init(kind: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, forgetBias: forgetBias,
                   using: &generator)
    }
}

public final class GRUCell<Scalar: TensorScalar>: RecurrentCell<Scalar> {
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, bias: Bool = true, using generator: inout G) {
        super.init(kind: .gru, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, forgetBias: nil,
                   using: &generator)
    }
}

public final class RNNCell<Scalar: TensorScalar>: RecurrentCell<Scalar> {
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, bias: Bool = true, using generator: inout G) {
        super.init(kind: .rnn, inputSize: inputSize, hiddenSize: hiddenSize, bias: bias, forgetBias: nil,
                   using: &generator)
    }
}
