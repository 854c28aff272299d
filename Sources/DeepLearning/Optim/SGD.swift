/// Stochastic gradient descent with momentum, dampening, Nesterov momentum
/// and L2 weight decay, in PyTorch's exact order (`torch.optim.SGD`):
///
///     d = g + weightDecay · p
///     b = d                                  (first step)
///     b = momentum · b + (1 - dampening) · d (later steps)
///     d = nesterov ? d + momentum · b : b    (when momentum ≠ 0)
///     p = p - lr · d
///
/// The order matters for matching PyTorch runs: decay is part of the
/// gradient that enters the buffer, the buffer starts as the first
/// gradient undamped, and the learning rate multiplies last, so changing
/// it (a schedule) does not rescale the buffer.
public final class SGD<Scalar: TensorScalar>: Optimizer<Scalar> {
    public let dampening: Double
    public let nesterov: Bool

    /// One group of `parameters`.
    public convenience init(_ parameters: [Parameter<Scalar>], learningRate: Double, momentum: Double = 0,
                            dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        self.init(groups: [ParameterGroup(parameters)], learningRate: learningRate, momentum: momentum,
                  dampening: dampening, weightDecay: weightDecay, nesterov: nesterov)
    }

    /// Several groups; their nil options take these defaults.
    public init(groups: [ParameterGroup<Scalar>], learningRate: Double, momentum: Double = 0,
                dampening: Double = 0, weightDecay: Double = 0, nesterov: Bool = false) {
        precondition(momentum >= 0, "SGD: momentum must be >= 0, got \(momentum)")
        precondition(!nesterov || (momentum > 0 && dampening == 0), "SGD: Nesterov momentum needs momentum > 0 and no dampening")
        self.dampening = dampening
        self.nesterov = nesterov
        super.init(groups, learningRate: learningRate, weightDecay: weightDecay, momentum: momentum)
    }

    public override func update(_ parameter: Parameter<Scalar>, grad: Tensor<Scalar>, index: Int, group: ParameterGroup<Scalar>) {
        var d = grad
        if group.weightDecay != 0 { d = d + parameter.value * Scalar(group.weightDecay) }
        if group.momentum != 0 {
            let key = "\(index).momentum_buffer"
            let buffer: Tensor<Scalar>
            if let previous = stateTensors[key] {
                buffer = previous * Scalar(group.momentum) + d * Scalar(1 - dampening)
            } else {
                buffer = d
            }
            stateTensors[key] = buffer
            d = nesterov ? d + buffer * Scalar(group.momentum) : buffer
        }
        parameter.assign(parameter.value + d * Scalar(-group.learningRate))
    }
}
