import DLSupport

/// Draws the next token id from a model's logits (`TemperatureSampling`).
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
        return TemperatureSampling.draw(logits.map(Double.init), temperature: temperature,
                                        uniform: temperature > 0 ? random.nextUniform() : 0)
    }
}
