/// One class and its probability.
public struct Prediction: Sendable, Equatable {
    /// The output channel.
    public let index: Int
    /// `labels[index]`, or the index as text when the model has no labels.
    public let label: String
    public let probability: Float

    public init(index: Int, label: String, probability: Float) {
        (self.index, self.label, self.probability) = (index, label, probability)
    }
}
