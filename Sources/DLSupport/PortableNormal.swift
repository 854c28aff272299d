#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Standard-normal numbers that any language can reproduce from a seed: the
/// latent vectors of `dlsample`, of dltrain's per-epoch sample grids and of
/// examples/sample_generator.c.
///
/// - SplitMix64 (Steele, Lea & Flood 2014): `state += 0x9E3779B97F4A7C15`,
///   then `z = (z ^ z >> 30) * 0xBF58476D1CE4E5B9`, `z = (z ^ z >> 27) *
///   0x94D049BB133111EB`, `z ^ z >> 31`; the first state is the seed.
/// - A uniform double in [0, 1): the top 53 bits of one output times 2⁻⁵³.
/// - Box–Muller in double precision on consecutive pairs (a, b) of uniforms:
///   `r = sqrt(-2 ln(1 - a))`, `z0 = r cos(2π b)`, `z1 = r sin(2π b)`;
///   both values are used, `z0` first; each is rounded to Float.
///
/// Sample `k` of a batch is values `k·L ..< (k+1)·L` of the sequence
/// (L the latent size), so the first samples of a seed do not depend on
/// how many are drawn.
public struct PortableNormal: Sendable, Equatable {
    public private(set) var state: UInt64
    private var spare: Double?

    public init(seed: UInt64) { state = seed }

    /// The next SplitMix64 output.
    public mutating func nextBits() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    public mutating func nextUniform() -> Double {
        Double(nextBits() >> 11) * 0x1p-53
    }

    /// The next standard-normal value.
    public mutating func next() -> Float {
        if let z = spare {
            spare = nil
            return Float(z)
        }
        let a = nextUniform(), b = nextUniform()
        let r = (-2 * log(1 - a)).squareRoot()
        let angle = 2 * Double.pi * b
        spare = r * sin(angle)
        return Float(r * cos(angle))
    }

    /// The next `count` values.
    public mutating func next(_ count: Int) -> [Float] {
        (0..<max(0, count)).map { _ in next() }
    }

    /// `count` latent vectors of `size` values from `seed`, back to back.
    public static func latents(seed: UInt64, count: Int, size: Int) -> [Float] {
        var generator = PortableNormal(seed: seed)
        return generator.next(count * size)
    }
}
