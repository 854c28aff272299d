/// A token sequence cut into `batch` parallel streams for truncated
/// backpropagation through time (char-rnn's batching): row b of every chunk
/// continues row b of the chunk before, so the state carried from one chunk
/// to the next belongs to the text that follows. Chunk k's inputs are
/// characters [k·T, k·T + T) of each stream and its targets the same shifted
/// by one.
public struct TextStreams: Sendable {
    public let batch: Int
    public let steps: Int
    /// Tokens per stream (the remainder of the text is left out).
    public let streamLength: Int
    let tokens: [Int]

    /// nil when the text holds fewer than one chunk per stream (T + 1 tokens).
    public init?(_ tokens: [Int], batch: Int, steps: Int) {
        precondition(batch > 0 && steps > 0, "TextStreams: batch and steps must be positive")
        let length = tokens.count / batch
        guard length >= steps + 1 else { return nil }
        (self.batch, self.steps, streamLength, self.tokens) = (batch, steps, length, tokens)
    }

    public var chunkCount: Int { (streamLength - 1) / steps }

    /// Chunk k as row-major [batch, steps] inputs and targets.
    public func chunk(_ k: Int) -> (inputs: [Int], targets: [Int]) {
        precondition(k >= 0 && k < chunkCount, "TextStreams: chunk \(k) of \(chunkCount)")
        var inputs: [Int] = [], targets: [Int] = []
        inputs.reserveCapacity(batch * steps)
        targets.reserveCapacity(batch * steps)
        for b in 0..<batch {
            let start = b * streamLength + k * steps
            inputs += tokens[start..<start + steps]
            targets += tokens[start + 1..<start + steps + 1]
        }
        return (inputs, targets)
    }
}
