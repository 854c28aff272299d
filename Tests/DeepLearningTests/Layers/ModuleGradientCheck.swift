@testable import DeepLearning

/// Finite-difference check of a module's *parameter* gradients in Float64,
/// with the same projection, step and error measure as `GradientCheck`
/// (which checks input gradients): L = Σ module(x) ⊙ R, analytic gradients
/// from `backward()` into each `Parameter.grad`, numeric ones from central
/// differences with the parameter perturbed through `assign`. `prepare`
/// runs before every forward (to reset a dropout mask generator).
enum ModuleGradientCheck {
    static func check(_ module: Module<Double>, input: Tensor<Double>, seed: UInt64 = 7,
                      prepare: () -> Void = {}) -> GradientCheck.Result {
        module.zeroGrad()
        prepare()
        let output = module(input)
        var generator = SplitMix64(seed: seed)
        let projection = Tensor<Double>.randomNormal(output.shape, using: &generator)
        (output * projection).sum().backward()
        func loss() -> Double {
            prepare()
            return withNoGrad { (module(input) * projection).sum().item() }
        }
        var result = GradientCheck.Result()
        let h = GradientCheck.step
        for (name, parameter) in module.namedParameters() {
            let analytic = parameter.grad ?? .zeros(parameter.shape)
            let original = parameter.value.detached()
            for j in 0..<parameter.count {
                var perturbed = original
                perturbed.scalars[j] = original.scalars[j] + h
                parameter.assign(perturbed)
                let up = loss()
                perturbed.scalars[j] = original.scalars[j] - h
                parameter.assign(perturbed)
                let down = loss()
                parameter.assign(original)
                let numeric = (up - down) / (2 * h)
                let a = analytic.scalars[j]
                let error = Swift.abs(a - numeric) / Swift.max(Swift.abs(a), Swift.abs(numeric), 1)
                if error > result.maxError || error.isNaN {
                    result.maxError = error.isNaN ? .infinity : error
                    result.worst = "\(name) element \(j): analytic \(a), numeric \(numeric)"
                }
            }
        }
        return result
    }
}
