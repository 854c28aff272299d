/// Parameters that share hyperparameters (PyTorch's `param_groups`): a
/// pretrained backbone at a small learning rate and a new head at a large
/// one, or biases without weight decay.
///
/// Every group carries every hyperparameter that schedules may change per
/// group: `learningRate`, `weightDecay`, and `momentum` (SGD's momentum, or
/// Adam's β1, which `OneCycleLR` cycles). Options given as nil when the
/// group is created take the optimizer's defaults.
public struct ParameterGroup<Scalar: TensorScalar> {
    public var parameters: [Parameter<Scalar>]
    public var learningRate: Double
    public var weightDecay: Double
    /// SGD: the momentum factor. Adam/AdamW: β1.
    public var momentum: Double
    /// The learning rate when a schedule was attached (PyTorch's
    /// `initial_lr`); set by the first schedule, then its base.
    public var initialLearningRate: Double?

    // What the group was created with; nil means "the optimizer's default".
    var requestedLearningRate: Double?
    var requestedWeightDecay: Double?
    var requestedMomentum: Double?

    /// A group whose nil options take the optimizer's defaults.
    public init(_ parameters: [Parameter<Scalar>], learningRate: Double? = nil, weightDecay: Double? = nil,
                momentum: Double? = nil) {
        self.parameters = parameters
        requestedLearningRate = learningRate
        requestedWeightDecay = weightDecay
        requestedMomentum = momentum
        self.learningRate = learningRate ?? .nan
        self.weightDecay = weightDecay ?? .nan
        self.momentum = momentum ?? .nan
    }

    /// This group with its unset options filled from the defaults.
    func resolved(learningRate lr: Double, weightDecay wd: Double, momentum m: Double) -> ParameterGroup {
        var group = self
        group.learningRate = requestedLearningRate ?? lr
        group.weightDecay = requestedWeightDecay ?? wd
        group.momentum = requestedMomentum ?? m
        return group
    }
}
