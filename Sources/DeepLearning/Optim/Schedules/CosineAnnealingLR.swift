#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Cosine annealing from the base rate to `minLearningRate` over `tMax`
/// epochs (PyTorch's `CosineAnnealingLR`, SGDR without restarts):
/// lr = min + (base - min) · (1 + cos(π · epoch / tMax)) / 2.
///
/// Computed in PyTorch's chained form (each rate from the previous one),
/// so past `tMax` the rate climbs back along the cosine as PyTorch's does,
/// and a rate changed by hand is annealed from where it is.
public final class CosineAnnealingLR<Scalar: TensorScalar>: LRScheduler<Scalar> {
    public let tMax: Int
    public let minLearningRate: Double

    public init(optimizer: Optimizer<Scalar>, tMax: Int, minLearningRate: Double = 0) {
        precondition(tMax > 0, "CosineAnnealingLR: tMax must be positive")
        self.tMax = tMax
        self.minLearningRate = minLearningRate
        super.init(optimizer: optimizer)
        takeInitialStep()
    }

    public override func learningRates() -> [Double] {
        let current = optimizer.groups.map(\.learningRate)
        let (t, epoch, etaMin) = (Double(tMax), Double(lastEpoch), minLearningRate)
        if isInitialStep { return current }
        if (lastEpoch - 1 - tMax) % (2 * tMax) == 0 {
            return zip(current, baseLearningRates).map { lr, base in lr + (base - etaMin) * (1 - cos(Double.pi / t)) / 2 }
        }
        let ratio = (1 + cos(Double.pi * epoch / t)) / (1 + cos(Double.pi * (epoch - 1) / t))
        return current.map { ratio * ($0 - etaMin) + etaMin }
    }
}
