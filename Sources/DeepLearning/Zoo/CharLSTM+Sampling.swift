import DLSupport

/// Text from a `CharLSTM`, one character at a time: the prime runs through
/// the network once, then each sampled character is fed back with the state
/// carried, so generation costs one step per character.
extension CharLSTM {
    /// `length` tokens after `prime` (at least one token), drawn from
    /// softmax(logits / temperature) by `TemperatureSampling` with the
    /// uniforms of `PortableNormal(seed:)` — the rule and numbers of `dlgen
    /// --seed`; temperature 0 takes the most likely token. Evaluation mode,
    /// no gradients.
    public func sample(prime: [Int], length: Int, temperature: Double, seed: UInt64) -> [Int] {
        precondition(!prime.isEmpty, "CharLSTM.sample: the prime must hold at least one token")
        precondition(temperature >= 0 && temperature.isFinite, "CharLSTM.sample: temperature must be >= 0")
        let wasTraining = isTraining
        _ = eval()
        defer { _ = train(wasTraining) }
        return withNoGrad {
            var (logits, state) = self(tokens: prime, batch: 1, steps: prime.count, state: nil)
            var last = logits.slice(axis: 1, prime.count - 1..<prime.count)
            var tokens: [Int] = []
            var random = PortableNormal(seed: seed)
            for _ in 0..<length {
                let token = TemperatureSampling.draw(last.scalars.map(Double.init), temperature: temperature,
                                                     uniform: temperature > 0 ? random.nextUniform() : 0)
                tokens.append(token)
                (logits, state) = self(tokens: [token], batch: 1, steps: 1, state: state)
                last = logits
            }
            return tokens
        }
    }
}
