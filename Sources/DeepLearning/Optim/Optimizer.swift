/// The base class of optimizers: parameter groups, `step()`, `zeroGrad()`
/// and checkpointable state.
///
/// A step updates every parameter that has a gradient; parameters without
/// one (frozen, or not reached by `backward()`) are skipped and their state
/// is left as it was, as in PyTorch. Updates run under `withNoGrad` and go
/// through `Parameter.assign`, so the parameters keep their identities.
///
/// Per-parameter state is keyed by the parameter's position across all
/// groups (0, 1, ... in group order, as PyTorch numbers it), so a fresh
/// optimizer over the same model restores a checkpoint exactly.
open class Optimizer<Scalar: TensorScalar> {
    public var groups: [ParameterGroup<Scalar>]
    /// The defaults for groups added later.
    public let defaultLearningRate: Double
    public let defaultWeightDecay: Double
    public let defaultMomentum: Double

    init(_ groups: [ParameterGroup<Scalar>], learningRate: Double, weightDecay: Double, momentum: Double) {
        precondition(learningRate >= 0, "learning rate must be >= 0, got \(learningRate)")
        precondition(weightDecay >= 0, "weight decay must be >= 0, got \(weightDecay)")
        defaultLearningRate = learningRate
        defaultWeightDecay = weightDecay
        defaultMomentum = momentum
        self.groups = []
        for group in groups { addParameterGroup(group) }
    }

    /// Adds a group; its nil options take this optimizer's defaults. A
    /// parameter may belong to one group only.
    public func addParameterGroup(_ group: ParameterGroup<Scalar>) {
        let existing = Set(groups.flatMap { $0.parameters.map(ObjectIdentifier.init) })
        let incoming = group.parameters.map(ObjectIdentifier.init)
        precondition(Set(incoming).count == incoming.count && existing.isDisjoint(with: incoming),
                     "a parameter appears in more than one parameter group")
        groups.append(group.resolved(learningRate: defaultLearningRate, weightDecay: defaultWeightDecay, momentum: defaultMomentum))
    }

    /// Every parameter in group order: the numbering of the state.
    public var allParameters: [Parameter<Scalar>] { groups.flatMap(\.parameters) }

    /// The first group's learning rate; setting it sets every group's.
    public var learningRate: Double {
        get { groups.first?.learningRate ?? defaultLearningRate }
        set { for i in groups.indices { groups[i].learningRate = newValue } }
    }

    /// Forgets every parameter's gradient.
    public func zeroGrad() {
        for parameter in allParameters { parameter.zeroGrad() }
    }

    /// One update of every parameter that has a gradient.
    public func step() {
        withNoGrad {
            var index = 0
            for group in groups {
                for parameter in group.parameters {
                    defer { index += 1 }
                    guard let grad = parameter.grad else { continue }
                    update(parameter, grad: grad, index: index, group: group)
                }
            }
        }
    }

    /// Updates one parameter (`index` numbers it across groups); runs under `withNoGrad`.
    open func update(_ parameter: Parameter<Scalar>, grad: Tensor<Scalar>, index: Int, group: ParameterGroup<Scalar>) {
        preconditionFailure("\(type(of: self)) does not override update(_:grad:index:group:)")
    }

    // MARK: - state

    /// The per-parameter state tensors, keyed "\(index).\(name)" (PyTorch's names:
    /// `momentum_buffer`, `exp_avg`, `exp_avg_sq`).
    var stateTensors: [String: Tensor<Scalar>] = [:]
    /// Per-parameter counters, keyed the same way ("\(index).step").
    var stateCounters: [String: Double] = [:]

    /// Everything needed to resume: per-parameter state and each group's
    /// hyperparameters (which schedules change).
    public func stateDict() -> OptimizerState<Scalar> {
        var state = OptimizerState<Scalar>()
        state.parameterShapes = allParameters.map(\.shape)
        state.tensors = StateDict(stateTensors)
        state.values = stateCounters
        for (g, group) in groups.enumerated() {
            state.values["groups.\(g).lr"] = group.learningRate
            state.values["groups.\(g).weight_decay"] = group.weightDecay
            state.values["groups.\(g).momentum"] = group.momentum
            if let initial = group.initialLearningRate { state.values["groups.\(g).initial_lr"] = initial }
            state.values["groups.\(g).count"] = Double(group.parameters.count)
        }
        return state
    }

    /// Restores a `stateDict()` taken from an optimizer of the same type
    /// over parameters of the same shapes in the same groups. Checks
    /// everything before changing anything.
    public func load(stateDict state: OptimizerState<Scalar>) throws {
        let shapes = allParameters.map(\.shape)
        guard state.parameterShapes == shapes else {
            throw OptimizerStateError.parametersDiffer(expected: shapes, found: state.parameterShapes)
        }
        for (g, group) in groups.enumerated() where state.values["groups.\(g).count"] != Double(group.parameters.count) {
            throw OptimizerStateError.groupsDiffer
        }
        guard state.values["groups.\(groups.count).count"] == nil else { throw OptimizerStateError.groupsDiffer }
        for (key, tensor) in state.tensors {
            guard let dot = key.firstIndex(of: "."), let i = Int(key[..<dot]), i >= 0, i < shapes.count,
                  tensor.shape == shapes[i] else {
                throw OptimizerStateError.badEntry(key)
            }
        }
        stateTensors = state.tensors.dictionary
        stateCounters = state.values.filter { !$0.key.hasPrefix("groups.") }
        for g in groups.indices {
            if let lr = state.values["groups.\(g).lr"] { groups[g].learningRate = lr }
            if let wd = state.values["groups.\(g).weight_decay"] { groups[g].weightDecay = wd }
            if let m = state.values["groups.\(g).momentum"] { groups[g].momentum = m }
            groups[g].initialLearningRate = state.values["groups.\(g).initial_lr"]
        }
    }
}

/// An optimizer's checkpointable state: tensors keyed "\(parameterIndex).\(name)",
/// and numbers — per-parameter counters ("\(i).step") and group
/// hyperparameters ("groups.\(g).lr", ".weight_decay", ".momentum",
/// ".initial_lr", ".count") — in Double, exact for step counts up to 2⁵³.
public struct OptimizerState<Scalar: TensorScalar>: Equatable {
    public var tensors = StateDict<Scalar>()
    public var values: [String: Double] = [:]
    /// The shapes of the parameters, in state order, to refuse a mismatched restore.
    public var parameterShapes: [[Int]] = []
    public init() {}
}

public enum OptimizerStateError: Error, Equatable {
    /// The optimizer's parameters differ in number or shape from the saved ones.
    case parametersDiffer(expected: [[Int]], found: [[Int]])
    /// The parameter groups differ in number or size.
    case groupsDiffer
    /// A state tensor has a key that names no parameter, or the wrong shape.
    case badEntry(String)
}
