import DLSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Draws the next token id from a model's logits: from softmax(logits /
/// temperature), or the largest logit (the first of equals) at temperature 0.
///
/// The uniform numbers are `PortableNormal`'s SplitMix64 uniforms (DLSupport),
/// one per draw, so that a seed gives the same text on every machine.
public struct TokenSampler {
    public let temperature: Double
    private var random: PortableNormal

    /// `temperature` must be finite and >= 0.
    public init(temperature: Double, seed: UInt64) throws {
        guard temperature.isFinite, temperature >= 0 else {
            throw GenError.invalidArgument("the temperature must be finite and >= 0, got \(temperature)")
        }
        self.temperature = temperature
        random = PortableNormal(seed: seed)
    }

    /// The next token id, given one logit per vocabulary entry.
    public mutating func next(_ logits: [Float]) throws -> Int {
        guard !logits.isEmpty, logits.allSatisfy(\.isFinite) else {
            throw GenError.model("the model produced \(logits.isEmpty ? "no logits" : "a non-finite logit")")
        }
        var best = 0
        for id in logits.indices where logits[id] > logits[best] { best = id }
        if temperature == 0 { return best }
        // Shifted by the largest logit so that exp cannot overflow; the largest weight is exactly 1.
        let top = Double(logits[best])
        let weights = logits.map { exp((Double($0) - top) / temperature) }
        var remaining = random.nextUniform() * weights.reduce(0, +)
        for (id, weight) in weights.enumerated() {
            remaining -= weight
            if remaining < 0 { return id }
        }
        // Rounding left a sliver past the last positive weight.
        return weights.lastIndex(where: { $0 > 0 }) ?? best
    }
}
