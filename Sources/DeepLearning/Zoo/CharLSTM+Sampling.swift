/// Text from a `CharLSTM`, one character at a time: the prime runs through
/// the network once, then each sampled character is fed back with the state
/// carried, so generation costs one step per character.
extension CharLSTM {
    /// `length` tokens after `prime` (at least one token), drawn from
    /// softmax(logits / temperature) with `generator`; temperature 0 takes
    /// the most likely token. Evaluation mode, no gradients.
    public func sample<G: RandomNumberGenerator>(prime: [Int], length: Int, temperature: Double,
                                                using generator: inout G) -> [Int] {
        precondition(!prime.isEmpty, "CharLSTM.sample: the prime must hold at least one token")
        precondition(temperature >= 0 && temperature.isFinite, "CharLSTM.sample: temperature must be >= 0")
        let wasTraining = isTraining
        _ = eval()
        defer { _ = train(wasTraining) }
        return withNoGrad {
            var (logits, state) = self(tokens: prime, batch: 1, steps: prime.count, state: nil)
            var last = logits.slice(axis: 1, prime.count - 1..<prime.count)
            var tokens: [Int] = []
            for _ in 0..<length {
                let token = Self.draw(last.scalars.map(Double.init), temperature: temperature, using: &generator)
                tokens.append(token)
                (logits, state) = self(tokens: [token], batch: 1, steps: 1, state: state)
                last = logits
            }
            return tokens
        }
    }

    /// An index drawn from softmax(logits / temperature), or the argmax at temperature 0.
    static func draw<G: RandomNumberGenerator>(_ logits: [Double], temperature: Double, using generator: inout G) -> Int {
        let top = logits.indices.max { logits[$0] < logits[$1] }!
        guard temperature > 0 else { return top }
        let weights = logits.map { Double.exp(($0 - logits[top]) / temperature) }
        var u = Double.random(in: 0..<1, using: &generator) * weights.reduce(0, +)
        for (i, w) in weights.enumerated() {
            u -= w
            if u < 0 { return i }
        }
        return top
    }
}
