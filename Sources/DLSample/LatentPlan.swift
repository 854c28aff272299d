import DLSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Which latent vectors to draw: the first `count` of a seed's sequence
/// (`PortableNormal`), or a walk between two seeds' first latents.
public enum LatentPlan: Equatable, Sendable {
    case random(seed: UInt64, count: Int)
    /// `count` points from latent 0 of `from` to latent 0 of `to`, both ends included,
    /// by spherical interpolation (White 2016): Gaussian latents live near a
    /// sphere, and the straight chord between two of them passes through
    /// vectors far shorter than any the generator was trained on.
    case walk(from: UInt64, to: UInt64, count: Int)

    public var count: Int {
        switch self {
        case .random(_, let count), .walk(_, _, let count): return count
        }
    }

    /// `count` vectors of `size` values, back to back.
    public func latents(size: Int) throws -> [Float] {
        guard count >= 1 else { throw SampleError.invalidArgument("the number of samples must be at least 1, got \(count)") }
        switch self {
        case .random(let seed, let count):
            return PortableNormal.latents(seed: seed, count: count, size: size)
        case .walk(let from, let to, let count):
            let a = PortableNormal.latents(seed: from, count: 1, size: size).map(Double.init)
            let b = PortableNormal.latents(seed: to, count: 1, size: size).map(Double.init)
            var out: [Float] = []
            out.reserveCapacity(count * size)
            for k in 0..<count {
                let t = count == 1 ? 0 : Double(k) / Double(count - 1)
                out += Self.slerp(a, b, t).map(Float.init)
            }
            return out
        }
    }

    /// sin((1-t)θ)/sin θ · a + sin(tθ)/sin θ · b, θ the angle between a and b; linear when they are (anti)parallel.
    static func slerp(_ a: [Double], _ b: [Double], _ t: Double) -> [Double] {
        let dot = zip(a, b).reduce(0) { $0 + $1.0 * $1.1 }
        let norms = (a.reduce(0) { $0 + $1 * $1 } * b.reduce(0) { $0 + $1 * $1 }).squareRoot()
        let theta = norms > 0 ? acos(max(-1, min(1, dot / norms))) : 0
        let (wa, wb): (Double, Double)
        if sin(theta) < 1e-6 {
            (wa, wb) = (1 - t, t)
        } else {
            (wa, wb) = (sin((1 - t) * theta) / sin(theta), sin(t * theta) / sin(theta))
        }
        return zip(a, b).map { wa * $0 + wb * $1 }
    }
}
