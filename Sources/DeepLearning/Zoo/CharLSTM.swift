/// A character-level language model (char-rnn): embedding, a multi-layer
/// LSTM, dropout, and a linear head to next-character logits.
///
/// `dltrain --model charlstm` trains it with truncated backpropagation
/// through time (`LanguageModelTrainer`); `dlexport` writes it as embedding,
/// lstm and gemm nodes for `dlgen`.
public final class CharLSTM<Scalar: TensorScalar>: Module<Scalar> {
    public let vocabularySize: Int
    public let embedding: Embedding<Scalar>
    public let lstm: LSTM<Scalar>
    public let dropout: Dropout<Scalar>
    public let head: Linear<Scalar>

    public init<G: RandomNumberGenerator>(vocabularySize: Int, embeddingSize: Int, hiddenSize: Int, layerCount: Int,
                                          dropout p: Double, using generator: inout G) {
        self.vocabularySize = vocabularySize
        embedding = Embedding(count: vocabularySize, dimensions: embeddingSize, using: &generator)
        lstm = LSTM(inputSize: embeddingSize, hiddenSize: hiddenSize, layerCount: layerCount, dropout: p,
                    dropoutSeed: generator.next(), using: &generator)
        dropout = Dropout(p: p, seed: generator.next())
        head = Linear(hiddenSize, vocabularySize, using: &generator)
        super.init()
    }

    public override var children: [(name: String, module: Module<Scalar>)] {
        [("embedding", embedding), ("lstm", lstm), ("dropout", dropout), ("head", head)]
    }

    /// Logits [B, T, V] for `tokens` (B·T ids, row-major [B, T]) and the
    /// LSTM's final state, from `state` (nil: zeros).
    public func callAsFunction(tokens: [Int], batch: Int, steps: Int, state: [RecurrentState<Scalar>]?)
        -> (logits: Tensor<Scalar>, state: [RecurrentState<Scalar>]) {
        precondition(tokens.count == batch * steps, "CharLSTM: \(tokens.count) tokens for [\(batch), \(steps)]")
        let (hidden, final) = lstm(embedding(tokens, shape: [batch, steps]), state: state)
        return (head(dropout(hidden)), final)
    }

    /// `input` [B, T] of token ids as scalars -> logits [B, T, V], from a zero state.
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(input.rank == 2, "CharLSTM: input must be [B, T] token ids, got \(input.shape)")
        return self(tokens: input.scalars.map { Int($0) }, batch: input.shape[0], steps: input.shape[1], state: nil).logits
    }
}
