/// What every learning-rate schedule offers a training loop and a
/// checkpoint: the epoch count, the last rates set, and its state.
public protocol LearningRateSchedule: AnyObject {
    /// Steps taken (0 right after construction, as in PyTorch).
    var lastEpoch: Int { get }
    /// The learning rate of each parameter group after the last step.
    var lastLearningRates: [Double] { get }
    /// Every number needed to resume exactly, keyed by PyTorch's names.
    func stateDict() -> [String: Double]
    /// Restores a `stateDict()` of a schedule built with the same arguments.
    func load(stateDict: [String: Double]) throws
}

public enum ScheduleStateError: Error, Equatable {
    case missingKey(String)
    /// A count (an epoch, a counter) that is not a whole number an Int holds (NaN, 1e300, 2.5).
    case notAnInteger(String, Double)
}

/// Reading a schedule's state dict, which may come from a hostile checkpoint.
enum ScheduleState {
    static func value(_ state: [String: Double], _ key: String) throws -> Double {
        guard let v = state[key] else { throw ScheduleStateError.missingKey(key) }
        return v
    }

    static func count(_ state: [String: Double], _ key: String) throws -> Int {
        let v = try value(state, key)
        guard let n = Int(exactly: v) else { throw ScheduleStateError.notAnInteger(key, v) }
        return n
    }
}

/// The base of epoch-driven schedules (PyTorch's `LRScheduler`), stepped
/// once per epoch (or per batch, for `OneCycleLR`) *after* the optimizer:
///
/// ```swift
/// for epoch in 0..<epochs {
///     for batch in loader { ...; loss.backward(); optimizer.step(); optimizer.zeroGrad() }
///     schedule.step()
/// }
/// ```
///
/// Construction records each group's starting rate as its
/// `initialLearningRate` (the base rates, unless a schedule set them
/// before) and takes the initial step to epoch 0, which sets the epoch-0
/// rate. Subclasses give the rate for `lastEpoch` in `learningRates()`,
/// either chained from the current group rates (PyTorch's form, so a rate
/// changed by hand or by another schedule is respected) or in closed form.
///
/// To resume, build the optimizer and the schedule as before, then load
/// the optimizer's state (which holds the group rates) and the schedule's.
open class LRScheduler<Scalar: TensorScalar>: LearningRateSchedule {
    public let optimizer: Optimizer<Scalar>
    /// Each group's `initialLearningRate`, when the schedule was made.
    public internal(set) var baseLearningRates: [Double]
    public internal(set) var lastEpoch: Int = -1
    public internal(set) var lastLearningRates: [Double] = []
    /// True only during the step taken by `init`.
    var isInitialStep = false

    public init(optimizer: Optimizer<Scalar>) {
        self.optimizer = optimizer
        for g in optimizer.groups.indices where optimizer.groups[g].initialLearningRate == nil {
            optimizer.groups[g].initialLearningRate = optimizer.groups[g].learningRate
        }
        baseLearningRates = optimizer.groups.map { $0.initialLearningRate! }
    }

    /// Subclasses call this at the end of their `init`.
    func takeInitialStep() {
        isInitialStep = true
        step()
        isInitialStep = false
    }

    /// Advances one epoch and sets each group's learning rate.
    public func step() {
        lastEpoch += 1
        let rates = learningRates()
        precondition(rates.count == optimizer.groups.count, "schedule returned \(rates.count) rates for \(optimizer.groups.count) groups")
        for (g, rate) in rates.enumerated() { optimizer.groups[g].learningRate = rate }
        lastLearningRates = rates
    }

    /// The rate of each group for `lastEpoch` (already advanced).
    open func learningRates() -> [Double] {
        preconditionFailure("\(type(of: self)) does not override learningRates()")
    }

    open func stateDict() -> [String: Double] {
        var state: [String: Double] = ["last_epoch": Double(lastEpoch)]
        for (g, rate) in baseLearningRates.enumerated() { state["base_lrs.\(g)"] = rate }
        for (g, rate) in lastLearningRates.enumerated() { state["last_lr.\(g)"] = rate }
        return state
    }

    open func load(stateDict state: [String: Double]) throws {
        let epoch = try ScheduleState.count(state, "last_epoch")
        let bases = try baseLearningRates.indices.map { try ScheduleState.value(state, "base_lrs.\($0)") }
        let last = try baseLearningRates.indices.map { try ScheduleState.value(state, "last_lr.\($0)") }
        lastEpoch = epoch
        baseLearningRates = bases
        lastLearningRates = last
    }
}
