#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One draw from softmax(logits / temperature), the rule every text sampler
/// here follows (the engine's `CharLSTM.sample`, `dlgen`,
/// `examples/generate_text.c`), so that one seed gives one text.
public enum TemperatureSampling {
    /// The index drawn with `uniform` in [0, 1): the first index at which the
    /// running sum of the weights exp((logit - max) / temperature) passes
    /// `uniform` times their total. Temperature 0 gives the largest logit
    /// (the first of equals).
    public static func draw(_ logits: [Double], temperature: Double, uniform: Double) -> Int {
        var best = 0
        for i in logits.indices where logits[i] > logits[best] { best = i }
        guard temperature > 0 else { return best }
        // Shifted by the largest logit so that exp cannot overflow; the largest weight is exactly 1.
        let weights = logits.map { exp(($0 - logits[best]) / temperature) }
        var remaining = uniform * weights.reduce(0, +)
        for (i, weight) in weights.enumerated() {
            remaining -= weight
            if remaining < 0 { return i }
        }
        // Rounding left a sliver past the last positive weight.
        return weights.lastIndex(where: { $0 > 0 }) ?? best
    }
}
