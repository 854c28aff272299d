/// Lowers the learning rate when a metric stops improving (PyTorch's
/// `ReduceLROnPlateau`), stepped with the metric after each evaluation.
///
/// A metric is an improvement when it beats the best so far by more than
/// `threshold` (relative: best · (1 ∓ threshold); absolute: best ∓
/// threshold). After more than `patience` epochs without one, each
/// group's rate becomes max(lr · factor, minLR) — unless that changes it
/// by no more than `eps` — and the next `cooldown` epochs count no bad
/// epochs.
public final class ReduceLROnPlateau<Scalar: TensorScalar>: LearningRateSchedule {
    public enum Mode: Sendable { case min, max }
    public enum ThresholdMode: Sendable { case relative, absolute }

    public let optimizer: Optimizer<Scalar>
    public let mode: Mode
    public let factor: Double
    public let patience: Int
    public let threshold: Double
    public let thresholdMode: ThresholdMode
    public let cooldown: Int
    /// Per group.
    public let minLearningRates: [Double]
    public let eps: Double

    public private(set) var best: Double
    public private(set) var badEpochs = 0
    public private(set) var cooldownCounter = 0
    public private(set) var lastEpoch = 0
    public private(set) var lastLearningRates: [Double]

    /// `minLearningRates`: one per group, or one for all.
    public init(optimizer: Optimizer<Scalar>, mode: Mode = .min, factor: Double = 0.1, patience: Int = 10,
                threshold: Double = 1e-4, thresholdMode: ThresholdMode = .relative, cooldown: Int = 0,
                minLearningRates: [Double] = [0], eps: Double = 1e-8) {
        precondition(factor < 1, "ReduceLROnPlateau: factor must be < 1")
        let groupCount = optimizer.groups.count
        precondition(minLearningRates.count == 1 || minLearningRates.count == groupCount,
                     "ReduceLROnPlateau: \(minLearningRates.count) min learning rates for \(groupCount) groups")
        self.optimizer = optimizer
        self.mode = mode
        self.factor = factor
        self.patience = patience
        self.threshold = threshold
        self.thresholdMode = thresholdMode
        self.cooldown = cooldown
        self.minLearningRates = minLearningRates.count == 1 ? Array(repeating: minLearningRates[0], count: groupCount) : minLearningRates
        self.eps = eps
        best = mode == .min ? .infinity : -.infinity
        lastLearningRates = optimizer.groups.map(\.learningRate)
    }

    /// Records one epoch's `metric` and lowers the rates if it has plateaued.
    public func step(metric: Double) {
        lastEpoch += 1
        if isBetter(metric) {
            best = metric
            badEpochs = 0
        } else {
            badEpochs += 1
        }
        if cooldownCounter > 0 {
            cooldownCounter -= 1
            badEpochs = 0
        }
        if badEpochs > patience {
            for g in optimizer.groups.indices {
                let old = optimizer.groups[g].learningRate
                let new = Swift.max(old * factor, minLearningRates[g])
                if old - new > eps { optimizer.groups[g].learningRate = new }
            }
            cooldownCounter = cooldown
            badEpochs = 0
        }
        lastLearningRates = optimizer.groups.map(\.learningRate)
    }

    private func isBetter(_ a: Double) -> Bool {
        switch (mode, thresholdMode) {
        case (.min, .relative): return a < best * (1 - threshold)
        case (.min, .absolute): return a < best - threshold
        case (.max, .relative): return a > best * (1 + threshold)
        case (.max, .absolute): return a > best + threshold
        }
    }

    public func stateDict() -> [String: Double] {
        var state: [String: Double] = ["best": best, "num_bad_epochs": Double(badEpochs),
                                       "cooldown_counter": Double(cooldownCounter), "last_epoch": Double(lastEpoch)]
        for (g, rate) in lastLearningRates.enumerated() { state["last_lr.\(g)"] = rate }
        return state
    }

    public func load(stateDict state: [String: Double]) throws {
        let values = try (ScheduleState.value(state, "best"), ScheduleState.count(state, "num_bad_epochs"),
                          ScheduleState.count(state, "cooldown_counter"), ScheduleState.count(state, "last_epoch"))
        let last = try lastLearningRates.indices.map { try ScheduleState.value(state, "last_lr.\($0)") }
        (best, badEpochs, cooldownCounter, lastEpoch) = values
        lastLearningRates = last
    }
}
