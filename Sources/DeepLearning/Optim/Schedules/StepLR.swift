/// Multiplies the learning rate by `gamma` every `stepSize` epochs
/// (PyTorch's `StepLR`): lr = base · gamma^⌊epoch / stepSize⌋.
public final class StepLR<Scalar: TensorScalar>: LRScheduler<Scalar> {
    public let stepSize: Int
    public let gamma: Double

    public init(optimizer: Optimizer<Scalar>, stepSize: Int, gamma: Double = 0.1) {
        precondition(stepSize > 0, "StepLR: stepSize must be positive")
        self.stepSize = stepSize
        self.gamma = gamma
        super.init(optimizer: optimizer)
        takeInitialStep()
    }

    public override func learningRates() -> [Double] {
        let current = optimizer.groups.map(\.learningRate)
        if lastEpoch == 0 || lastEpoch % stepSize != 0 { return current }
        return current.map { $0 * gamma }
    }
}
