/// The many-to-one task behind `examples/sequence-sorted` and its test: a
/// sequence of `length` numbers in [0, 1), one per step, labelled 1 when it
/// is in ascending order and 0 when it is an ascending sequence with one
/// adjacent pair swapped. The swap may be anywhere, so the network must
/// compare every step with the one before and remember whether any pair
/// was out of order: a decision that needs the whole sequence.
///
/// A `SequenceClassifier` (GRU, 32 units) trains on fresh random sequences
/// with Adam and gradient clipping and is measured on a fixed held-out set.
public struct SortednessTask: Sendable {
    public let length: Int

    public init(length: Int) {
        precondition(length >= 2, "SortednessTask: length must be at least 2")
        self.length = length
    }

    /// One sequence and its label, half of them sorted.
    public func example<G: RandomNumberGenerator>(using generator: inout G) -> (values: [Float], label: Int) {
        var values = (0..<length).map { _ in Float.random(in: 0..<1, using: &generator) }.sorted()
        guard Bool.random(using: &generator) else { return (values, 1) }
        var k = Int.random(in: 0..<length - 1, using: &generator)
        while values[k] == values[k + 1] { k = (k + 1) % (length - 1) }
        values.swapAt(k, k + 1)
        return (values, 0)
    }

    /// [count, length, 1] inputs and their labels.
    public func batch<G: RandomNumberGenerator>(_ count: Int, using generator: inout G) -> (Tensor<Float>, [Int]) {
        let examples = (0..<count).map { _ in example(using: &generator) }
        return (Tensor(shape: [count, length, 1], scalars: examples.flatMap(\.values)), examples.map(\.label))
    }

    /// Trains `steps` batches of 32 and returns the accuracy on 1,000
    /// held-out sequences; `report` sees it every 100 steps.
    public func train<G: RandomNumberGenerator>(steps: Int, using generator: inout G,
                                                report: (Int, Double) -> Void = { _, _ in }) -> Double {
        let (testInputs, testLabels) = batch(1_000, using: &generator)
        let model = SequenceClassifier<Float>(.gru, inputSize: 1, hiddenSize: 32, classes: 2, using: &generator)
        let optimizer = Adam(model.parameters(), learningRate: 5e-3)
        func accuracy() -> Double {
            let predicted = withNoGrad { model(testInputs) }.argmax(alongAxis: 1)
            return Double(zip(predicted, testLabels).filter { $0 == $1 }.count) / Double(testLabels.count)
        }
        for step in 1...max(steps, 1) {
            let (x, labels) = batch(32, using: &generator)
            let loss = crossEntropy(logits: model(x), labels: labels)
            optimizer.zeroGrad()
            loss.backward()
            clipGradNorm(model.parameters(), maxNorm: 1)
            optimizer.step()
            if step % 100 == 0 { report(step, accuracy()) }
        }
        return accuracy()
    }
}
