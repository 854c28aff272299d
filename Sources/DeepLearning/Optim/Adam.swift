#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Adam (Kingma & Ba) as `torch.optim.Adam`, with PyTorch's bias
/// correction and eps placement:
///
///     g = g + weightDecay · p                 (Adam: L2, coupled)
///     p = p · (1 - lr · weightDecay)          (AdamW: decoupled, first)
///     m = m + (1 - β1) · (g - m)
///     v = β2 · v + (1 - β2) · g²
///     p = p - (lr / (1 - β1ᵗ)) · m / (√v / √(1 - β2ᵗ) + eps)
///
/// eps is added after the bias-corrected √v, not inside the square root or
/// before the correction — that placement decides the step size while v is
/// still tiny, so it must match for runs to agree. β1 is the group's
/// `momentum`, so `OneCycleLR` can cycle it as in PyTorch.
public class Adam<Scalar: TensorScalar>: Optimizer<Scalar> {
    public let beta2: Double
    public let eps: Double
    /// Use the maximum of past v (AMSGrad).
    public let amsgrad: Bool
    /// Decoupled weight decay (AdamW) instead of L2 added to the gradient.
    public let decoupledWeightDecay: Bool

    /// One group of `parameters`.
    public convenience init(_ parameters: [Parameter<Scalar>], learningRate: Double = 1e-3,
                            betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps,
                  weightDecay: weightDecay, amsgrad: amsgrad)
    }

    /// Several groups; their nil options take these defaults (β1 is a group's `momentum`).
    public convenience init(groups: [ParameterGroup<Scalar>], learningRate: Double = 1e-3,
                            betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 0, amsgrad: Bool = false) {
        self.init(groups: groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                  amsgrad: amsgrad, decoupled: false)
    }

    init(groups: [ParameterGroup<Scalar>], learningRate: Double, betas: (Double, Double), eps: Double,
         weightDecay: Double, amsgrad: Bool, decoupled: Bool) {
        precondition(betas.0 >= 0 && betas.0 < 1 && betas.1 >= 0 && betas.1 < 1, "Adam: betas must be in [0, 1), got \(betas)")
        precondition(eps >= 0, "Adam: eps must be >= 0")
        beta2 = betas.1
        self.eps = eps
        self.amsgrad = amsgrad
        decoupledWeightDecay = decoupled
        super.init(groups, learningRate: learningRate, weightDecay: weightDecay, momentum: betas.0)
    }

    public override func update(_ parameter: Parameter<Scalar>, grad: Tensor<Scalar>, index: Int, group: ParameterGroup<Scalar>) {
        let (lr, beta1) = (group.learningRate, group.momentum)
        let step = (stateCounters["\(index).step"] ?? 0) + 1
        stateCounters["\(index).step"] = step
        var p = parameter.value.detached()
        var g = grad
        if group.weightDecay != 0 {
            if decoupledWeightDecay {
                p = p * Scalar(1 - lr * group.weightDecay)
            } else {
                g = g + p * Scalar(group.weightDecay)
            }
        }
        let zeros = Tensor<Scalar>.zeros(p.shape)
        var m = stateTensors["\(index).exp_avg"] ?? zeros
        var v = stateTensors["\(index).exp_avg_sq"] ?? zeros
        m = m + (g - m) * Scalar(1 - beta1)
        v = v * Scalar(beta2) + g * g * Scalar(1 - beta2)
        stateTensors["\(index).exp_avg"] = m
        stateTensors["\(index).exp_avg_sq"] = v
        if amsgrad {
            let previous = stateTensors["\(index).max_exp_avg_sq"] ?? zeros
            v = previous.zipped(.maximum, v)
            stateTensors["\(index).max_exp_avg_sq"] = v
        }
        let biasCorrection1 = 1 - pow(beta1, step)
        let biasCorrection2 = 1 - pow(beta2, step)
        let stepSize = lr / biasCorrection1
        let denominator = v.sqrt() / Scalar(biasCorrection2.squareRoot()) + Scalar(eps)
        parameter.assign(p + (m / denominator) * Scalar(-stepSize))
    }
}

/// Adam with decoupled weight decay (Loshchilov & Hutter), as
/// `torch.optim.AdamW`: parameters shrink by lr · weightDecay before the
/// Adam step instead of having the decay folded into the gradient, where
/// Adam's normalisation would cancel it for parameters with large
/// gradients. Default weight decay 0.01, as PyTorch.
public final class AdamW<Scalar: TensorScalar>: Adam<Scalar> {
    public convenience init(_ parameters: [Parameter<Scalar>], learningRate: Double = 1e-3,
                            betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                            weightDecay: Double = 1e-2, amsgrad: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, betas: betas, eps: eps,
                  weightDecay: weightDecay, amsgrad: amsgrad)
    }

    public init(groups: [ParameterGroup<Scalar>], learningRate: Double = 1e-3,
                betas: (Double, Double) = (0.9, 0.999), eps: Double = 1e-8,
                weightDecay: Double = 1e-2, amsgrad: Bool = false) {
        super.init(groups: groups, learningRate: learningRate, betas: betas, eps: eps, weightDecay: weightDecay,
                   amsgrad: amsgrad, decoupled: true)
    }
}
