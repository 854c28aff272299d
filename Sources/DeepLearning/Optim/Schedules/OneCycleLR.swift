#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The 1cycle policy (Smith & Topin) as PyTorch's `OneCycleLR`, stepped
/// after every batch: the rate warms up from maxLR / divFactor to maxLR
/// over the first `pctStart` of `totalSteps`, then anneals to
/// initial / finalDivFactor; momentum (SGD's momentum or Adam's β1) moves
/// the opposite way between `maxMomentum` and `baseMomentum` when
/// `cycleMomentum`. Annealing is cosine (default) or linear. With
/// `threePhase` the rate comes back down to the initial rate before the
/// final anneal, as in the fast.ai variant.
///
/// Phase boundaries are PyTorch's (`pctStart · totalSteps - 1`, ...), so the
/// sequence of rates matches step for step. Stepping past `totalSteps` is a
/// programming error, as there.
public final class OneCycleLR<Scalar: TensorScalar>: LRScheduler<Scalar> {
    public enum Annealing: Sendable { case cosine, linear }

    private struct Phase {
        var endStep: Double
        var startLR: KeyPath<OneCycleLR, [Double]>
        var endLR: KeyPath<OneCycleLR, [Double]>
        var startMomentum: KeyPath<OneCycleLR, [Double]>
        var endMomentum: KeyPath<OneCycleLR, [Double]>
    }

    public let totalSteps: Int
    public let annealing: Annealing
    public let cycleMomentum: Bool
    /// Per group: maxLR / divFactor, maxLR, and initial / finalDivFactor.
    public let initialLearningRates: [Double]
    public let maxLearningRates: [Double]
    public let minLearningRates: [Double]
    public let baseMomenta: [Double]
    public let maxMomenta: [Double]
    private var phases: [Phase] = []

    /// `maxLearningRates`: one per group, or one for all.
    public init(optimizer: Optimizer<Scalar>, maxLearningRates: [Double], totalSteps: Int, pctStart: Double = 0.3,
                annealing: Annealing = .cosine, cycleMomentum: Bool = true, baseMomentum: Double = 0.85,
                maxMomentum: Double = 0.95, divFactor: Double = 25, finalDivFactor: Double = 1e4,
                threePhase: Bool = false) {
        precondition(totalSteps > 0, "OneCycleLR: totalSteps must be positive")
        precondition(pctStart >= 0 && pctStart <= 1, "OneCycleLR: pctStart must be in [0, 1]")
        let groupCount = optimizer.groups.count
        precondition(maxLearningRates.count == 1 || maxLearningRates.count == groupCount,
                     "OneCycleLR: \(maxLearningRates.count) max learning rates for \(groupCount) groups")
        let maxLRs = maxLearningRates.count == 1 ? Array(repeating: maxLearningRates[0], count: groupCount) : maxLearningRates
        self.totalSteps = totalSteps
        self.annealing = annealing
        self.cycleMomentum = cycleMomentum
        self.maxLearningRates = maxLRs
        initialLearningRates = maxLRs.map { $0 / divFactor }
        minLearningRates = initialLearningRates.map { $0 / finalDivFactor }
        baseMomenta = Array(repeating: baseMomentum, count: groupCount)
        maxMomenta = Array(repeating: maxMomentum, count: groupCount)
        for g in 0..<groupCount {
            optimizer.groups[g].initialLearningRate = initialLearningRates[g]
            if cycleMomentum { optimizer.groups[g].momentum = maxMomentum }
        }
        super.init(optimizer: optimizer)
        let total = Double(totalSteps)
        if threePhase {
            phases = [
                Phase(endStep: pctStart * total - 1, startLR: \.initialLearningRates, endLR: \.maxLearningRates,
                      startMomentum: \.maxMomenta, endMomentum: \.baseMomenta),
                Phase(endStep: 2 * pctStart * total - 2, startLR: \.maxLearningRates, endLR: \.initialLearningRates,
                      startMomentum: \.baseMomenta, endMomentum: \.maxMomenta),
                Phase(endStep: total - 1, startLR: \.initialLearningRates, endLR: \.minLearningRates,
                      startMomentum: \.maxMomenta, endMomentum: \.maxMomenta),
            ]
        } else {
            phases = [
                Phase(endStep: pctStart * total - 1, startLR: \.initialLearningRates, endLR: \.maxLearningRates,
                      startMomentum: \.maxMomenta, endMomentum: \.baseMomenta),
                Phase(endStep: total - 1, startLR: \.maxLearningRates, endLR: \.minLearningRates,
                      startMomentum: \.baseMomenta, endMomentum: \.maxMomenta),
            ]
        }
        takeInitialStep()
    }

    /// One max learning rate for every group.
    public convenience init(optimizer: Optimizer<Scalar>, maxLearningRate: Double, totalSteps: Int, pctStart: Double = 0.3,
                            annealing: Annealing = .cosine, cycleMomentum: Bool = true, baseMomentum: Double = 0.85,
                            maxMomentum: Double = 0.95, divFactor: Double = 25, finalDivFactor: Double = 1e4,
                            threePhase: Bool = false) {
        self.init(optimizer: optimizer, maxLearningRates: [maxLearningRate], totalSteps: totalSteps, pctStart: pctStart,
                  annealing: annealing, cycleMomentum: cycleMomentum, baseMomentum: baseMomentum,
                  maxMomentum: maxMomentum, divFactor: divFactor, finalDivFactor: finalDivFactor, threePhase: threePhase)
    }

    private func anneal(_ start: Double, _ end: Double, _ pct: Double) -> Double {
        switch annealing {
        case .cosine: return end + (start - end) / 2 * (cos(Double.pi * pct) + 1)
        case .linear: return (end - start) * pct + start
        }
    }

    public override func learningRates() -> [Double] {
        precondition(lastEpoch <= totalSteps, "OneCycleLR: stepped \(lastEpoch) times, totalSteps is \(totalSteps)")
        let stepNumber = Double(lastEpoch)
        var rates: [Double] = []
        for g in optimizer.groups.indices {
            var start = 0.0
            for (i, phase) in phases.enumerated() {
                guard stepNumber <= phase.endStep || i == phases.count - 1 else {
                    start = phase.endStep
                    continue
                }
                let pct = (stepNumber - start) / (phase.endStep - start)
                rates.append(anneal(self[keyPath: phase.startLR][g], self[keyPath: phase.endLR][g], pct))
                if cycleMomentum {
                    optimizer.groups[g].momentum = anneal(self[keyPath: phase.startMomentum][g],
                                                          self[keyPath: phase.endMomentum][g], pct)
                }
                break
            }
        }
        return rates
    }
}
