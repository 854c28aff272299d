/// Many-to-one: a recurrent stack reads a whole sequence and a linear head
/// classifies its last layer's final state (the other sequence shape from
/// the character model's many-to-many). `examples/sequence-sorted` trains
/// one to tell sorted sequences from nearly sorted ones.
public final class SequenceClassifier<Scalar: TensorScalar>: Module<Scalar> {
    public let recurrent: RecurrentStack<Scalar>
    public let head: Linear<Scalar>

    public init<G: RandomNumberGenerator>(_ kind: RecurrentKind, inputSize: Int, hiddenSize: Int, layerCount: Int = 1,
                                          classes: Int, using generator: inout G) {
        switch kind {
        case .lstm: recurrent = LSTM(inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount, using: &generator)
        case .gru: recurrent = GRU(inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount, using: &generator)
        case .rnn: recurrent = RNN(inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount, using: &generator)
        }
        head = Linear(hiddenSize, classes, using: &generator)
        super.init()
    }

    public override var children: [(name: String, module: Module<Scalar>)] { [("recurrent", recurrent), ("head", head)] }

    /// `input` [B, T, I] -> logits [B, classes].
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        head(recurrent(input, state: nil).state.last!.h)
    }
}
