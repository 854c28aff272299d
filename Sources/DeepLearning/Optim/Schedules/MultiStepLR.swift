/// Multiplies the learning rate by `gamma` at each milestone epoch
/// (PyTorch's `MultiStepLR`); a milestone listed twice applies gamma twice.
public final class MultiStepLR<Scalar: TensorScalar>: LRScheduler<Scalar> {
    public let milestones: [Int]
    public let gamma: Double

    public init(optimizer: Optimizer<Scalar>, milestones: [Int], gamma: Double = 0.1) {
        self.milestones = milestones.sorted()
        self.gamma = gamma
        super.init(optimizer: optimizer)
        takeInitialStep()
    }

    public override func learningRates() -> [Double] {
        let current = optimizer.groups.map(\.learningRate)
        let hits = milestones.filter { $0 == lastEpoch }.count
        if hits == 0 { return current }
        return current.map { $0 * Double.pow(gamma, Double(hits)) }
    }
}
