#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A small, fast, seedable generator (SplitMix64): deterministic
/// initialisation and shuffling. Its whole state is `state`, so it can be
/// checkpointed and restored exactly.
public struct SplitMix64: RandomNumberGenerator, Sendable, Equatable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Tensor {
    /// Uniform in [low, high).
    public static func randomUniform<G: RandomNumberGenerator>(_ shape: [Int], low: Scalar = 0, high: Scalar = 1,
                                                               using generator: inout G) -> Tensor {
        let n = Shape.count(shape)
        var values = [Scalar]()
        values.reserveCapacity(n)
        for _ in 0..<n { values.append(Scalar(Double.random(in: 0..<1, using: &generator)) * (high - low) + low) }
        return Tensor(shape: shape, scalars: values)
    }

    /// Normal with `mean` and `standardDeviation` (Box–Muller in Double).
    public static func randomNormal<G: RandomNumberGenerator>(_ shape: [Int], mean: Scalar = 0, standardDeviation: Scalar = 1,
                                                              using generator: inout G) -> Tensor {
        let n = Shape.count(shape)
        var values = [Scalar]()
        values.reserveCapacity(n)
        while values.count < n {
            let u1 = 1 - Double.random(in: 0..<1, using: &generator) // (0, 1]
            let u2 = Double.random(in: 0..<1, using: &generator)
            let r = (-2 * Double.log(u1)).squareRoot()
            let angle = 2 * Double.pi * u2
            values.append(Scalar(r * cos(angle)) * standardDeviation + mean)
            if values.count < n { values.append(Scalar(r * sin(angle)) * standardDeviation + mean) }
        }
        return Tensor(shape: shape, scalars: values)
    }
}
