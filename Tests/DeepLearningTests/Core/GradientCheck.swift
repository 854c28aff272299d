@testable import DeepLearning

/// Finite-difference gradient checking in Float64.
///
/// The op's output y is projected to a scalar L = Σ y ⊙ R with a fixed
/// random R (so every output element and every direction of the backward
/// pass is exercised, not just a plain sum). The analytic gradient of L with
/// respect to each input comes from `backward()`; the numeric one from
/// central differences, (L(x + h) - L(x - h)) / 2h with h = 1e-5. Their
/// error, |analytic - numeric| / max(|analytic|, |numeric|, 1), must stay
/// below `tolerance` (1e-6 by default) for every element of every input:
/// relative for large gradients, absolute for those below 1. With h = 1e-5
/// the truncation error is ~h² and the rounding error ~1e-16·|L|/h, both
/// far below the threshold.
struct GradientCheck {
    struct Result: CustomStringConvertible {
        var maxError: Double = 0
        var worst = ""
        var description: String { "max error \(maxError) at \(worst)" }
    }

    static let step = 1e-5
    static let tolerance = 1e-6

    /// Checks `f` at `inputs`; every input is treated as requiring grad.
    static func check(_ inputs: [Tensor<Double>], seed: UInt64 = 7,
                      _ f: ([Tensor<Double>]) -> Tensor<Double>) -> Result {
        var leaves = inputs.map { $0.detached() }
        for i in leaves.indices { leaves[i].requiresGrad = true }

        let output = f(leaves)
        var generator = SplitMix64(seed: seed)
        let projection = Tensor<Double>.randomNormal(output.shape, using: &generator)
        (output * projection).sum().backward()
        let analytic = leaves.map { $0.grad ?? Tensor<Double>.zeros($0.shape) }

        func loss(_ xs: [Tensor<Double>]) -> Double {
            withNoGrad { (f(xs) * projection).sum().item() }
        }

        var result = Result()
        let plain = inputs.map { $0.detached() }
        for i in plain.indices {
            precondition(analytic[i].shape == plain[i].shape, "gradient shape \(analytic[i].shape) for input \(plain[i].shape)")
            for j in 0..<plain[i].count {
                var xs = plain
                let x0 = plain[i].scalars[j]
                xs[i].scalars[j] = x0 + step
                let up = loss(xs)
                xs[i].scalars[j] = x0 - step
                let down = loss(xs)
                let numeric = (up - down) / (2 * step)
                let a = analytic[i].scalars[j]
                let error = Swift.abs(a - numeric) / Swift.max(Swift.abs(a), Swift.abs(numeric), 1)
                if error > result.maxError || error.isNaN {
                    result.maxError = error.isNaN ? .infinity : error
                    result.worst = "input \(i) element \(j): analytic \(a), numeric \(numeric)"
                }
            }
        }
        return result
    }

    /// Uniform values in [low, high), each at least 1e-3 away from every
    /// point in `kinks` (where the op is not differentiable).
    static func input(_ shape: [Int], seed: UInt64, low: Double = -2, high: Double = 2,
                      avoiding kinks: [Double] = []) -> Tensor<Double> {
        var generator = SplitMix64(seed: seed)
        var t = Tensor<Double>.randomUniform(shape, low: low, high: high, using: &generator)
        for j in 0..<t.count {
            for k in kinks where Swift.abs(t.scalars[j] - k) < 1e-3 { t.scalars[j] = k + 0.1 }
        }
        return t
    }
}
