/// The size of `dltrain --model charlstm` and how it is trained: what a
/// checkpoint's architecture records (with the vocabulary), so that the
/// model can be rebuilt for resuming, exporting and sampling.
public struct CharLSTMRecipe: Sendable, Equatable {
    public var embeddingSize: Int
    public var hiddenSize: Int
    public var layerCount: Int
    /// Between the LSTM layers and before the head, in training only.
    public var dropout: Double
    /// Characters per truncated-BPTT chunk; the state is carried across chunks.
    public var sequenceLength: Int

    /// 2 x 512 LSTM (char-rnn's size for tiny-shakespeare), 100-character chunks.
    public static let standard = CharLSTMRecipe(embeddingSize: 64, hiddenSize: 512, layerCount: 2, dropout: 0.25,
                                                sequenceLength: 100)

    public func model<G: RandomNumberGenerator>(vocabularySize: Int, using generator: inout G) -> CharLSTM<Float> {
        CharLSTM(vocabularySize: vocabularySize, embeddingSize: embeddingSize, hiddenSize: hiddenSize,
                 layerCount: layerCount, dropout: dropout, using: &generator)
    }
}

extension CharLSTMRecipe {
    public static let modelName = "charlstm"

    /// What a checkpoint records: the sizes and the vocabulary (token i is
    /// the i-th string, one Unicode scalar each).
    public func architecture(vocabulary: [Unicode.Scalar]) -> ArchitectureDescription {
        ArchitectureDescription(name: Self.modelName, config: [
            "vocabulary": .strings(vocabulary.map { String($0) }),
            "embedding_size": .int(embeddingSize), "hidden_size": .int(hiddenSize), "layer_count": .int(layerCount),
            "dropout": .double(dropout), "sequence_length": .int(sequenceLength),
        ])
    }

    /// The recipe and vocabulary `architecture` records, or why it cannot be read.
    public static func read(_ architecture: ArchitectureDescription) throws -> (recipe: CharLSTMRecipe, vocabulary: [Unicode.Scalar]) {
        func bad(_ reason: String) -> ZooError { .badConfiguration(model: modelName, reason: reason) }
        guard architecture.name == modelName else { throw bad("the checkpoint holds \(architecture.name), not \(modelName)") }
        guard case .strings(let symbols)? = architecture["vocabulary"], !symbols.isEmpty else {
            throw bad("the checkpoint has no vocabulary")
        }
        let vocabulary = try symbols.map { symbol -> Unicode.Scalar in
            guard symbol.unicodeScalars.count == 1 else { throw bad("vocabulary entry \(symbol.debugDescription) is not one character") }
            return symbol.unicodeScalars.first!
        }
        guard let e = architecture.int("embedding_size"), let h = architecture.int("hidden_size"),
              let l = architecture.int("layer_count"), let t = architecture.int("sequence_length"),
              let p = architecture.double("dropout"), e > 0, h > 0, l > 0, t > 0, p >= 0, p < 1 else {
            throw bad("the checkpoint's sizes are missing or out of range: \(architecture.config)")
        }
        return (CharLSTMRecipe(embeddingSize: e, hiddenSize: h, layerCount: l, dropout: p, sequenceLength: t), vocabulary)
    }
}
