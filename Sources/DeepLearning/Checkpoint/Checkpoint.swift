/// Everything needed to resume training exactly, and to rebuild the model
/// without flags: the contents of `model.ckpt`.
///
/// ```swift
/// // After each epoch:
/// let checkpoint = Checkpoint.capture(
///     architecture: ["model": "resnet20", "classes": 10, "width": 16],   // see ArchitectureDescription
///     model: model, optimizer: optimizer, schedule: schedule,
///     rngStates: ["loader.seed": loader.seed], epoch: epoch + 1, step: step,
///     metrics: history, recipe: recipe)
/// try checkpoint.write(to: "runs/a/model.ckpt")                  // atomic
///
/// // To resume: build the model, optimizer and schedule as before, then
/// let checkpoint = try Checkpoint.read(from: "runs/a/model.ckpt")
/// try checkpoint.restore(model: model, optimizer: optimizer, schedule: schedule)
/// for epoch in checkpoint.epoch..<epochs { ... }
/// ```
///
/// The file layout is in docs/CHECKPOINT.md. Equality is bitwise on every
/// floating-point value (so a NaN in a schedule's state equals itself, and
/// -0 differs from +0): a checkpoint equals what reading its file returns.
public struct Checkpoint: Equatable {
    /// What model this is: enough to rebuild it (`dlexport`, `dltrain --resume`).
    public var architecture: ArchitectureDescription
    /// The model's parameters and buffers by dotted name (`Module.stateDict()`).
    public var model: StateDict<Float>
    /// `Optimizer.stateDict()`, or nil when none was saved.
    public var optimizer: OptimizerState<Float>?
    /// `LearningRateSchedule.stateDict()`, or nil when none was saved. Values
    /// may be ±inf or NaN (ReduceLROnPlateau's best before any metric); they
    /// are stored as raw IEEE-754 bits.
    public var schedule: [String: Double]?
    /// Named 64-bit generator states and seeds: the data loader's seed, each
    /// Dropout's generator (`capture` adds those as "model.<path>.generator").
    public var rngStates: [String: UInt64]
    /// Epochs completed: the next epoch to run.
    public var epoch: Int
    /// Optimizer steps taken in total.
    public var step: Int
    /// One record per completed epoch.
    public var metrics: [EpochMetrics]
    /// Free text describing how the model was trained (command line, data,
    /// augmentation); dlexport copies it into the model's description.
    public var recipe: String
    /// How the input was made from images (normalisation, resize rule), or
    /// nil in checkpoints written before format 1.1. dlexport writes it as
    /// the model's input contract.
    public var input: InputContract?
    /// Real examples (8-bit, before normalisation) for dlexport's self-test
    /// vector; empty in checkpoints written before format 1.1.
    public var samples: [InputSample]

    public init(architecture: ArchitectureDescription, model: StateDict<Float>, optimizer: OptimizerState<Float>? = nil,
                schedule: [String: Double]? = nil, rngStates: [String: UInt64] = [:], epoch: Int = 0, step: Int = 0,
                metrics: [EpochMetrics] = [], recipe: String = "", input: InputContract? = nil,
                samples: [InputSample] = []) {
        self.architecture = architecture
        self.model = model
        self.optimizer = optimizer
        self.schedule = schedule
        self.rngStates = rngStates
        self.epoch = epoch
        self.step = step
        self.metrics = metrics
        self.recipe = recipe
        self.input = input
        self.samples = samples
    }

    public static func == (lhs: Checkpoint, rhs: Checkpoint) -> Bool {
        lhs.architecture == rhs.architecture
            && bitwiseEqual(lhs.model, rhs.model)
            && bitwiseEqual(lhs.optimizer, rhs.optimizer)
            && bitwiseEqual(lhs.schedule, rhs.schedule)
            && lhs.rngStates == rhs.rngStates
            && lhs.epoch == rhs.epoch && lhs.step == rhs.step
            && lhs.metrics == rhs.metrics
            && lhs.recipe == rhs.recipe
            && bitwiseEqual(lhs.input, rhs.input)
            && lhs.samples == rhs.samples
    }
}

/// A model's name and a small typed configuration: what a tool needs to
/// rebuild the module before loading the weights into it, e.g.
/// `["model": "resnet20", "classes": 10, "width": 16]` (the "model" entry
/// of a literal becomes `name`).
public struct ArchitectureDescription: Sendable, Equatable, ExpressibleByDictionaryLiteral {
    /// A configuration value. Doubles compare by their bits.
    public enum Value: Sendable, Equatable, CustomStringConvertible, ExpressibleByIntegerLiteral,
                       ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByBooleanLiteral {
        case int(Int)
        case double(Double)
        case string(String)
        case bool(Bool)
        case ints([Int])
        case doubles([Double])
        case strings([String])

        public init(integerLiteral value: Int) { self = .int(value) }
        public init(floatLiteral value: Double) { self = .double(value) }
        public init(stringLiteral value: String) { self = .string(value) }
        public init(booleanLiteral value: Bool) { self = .bool(value) }

        public static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case let (.int(a), .int(b)): return a == b
            case let (.double(a), .double(b)): return a.bitPattern == b.bitPattern
            case let (.string(a), .string(b)): return a == b
            case let (.bool(a), .bool(b)): return a == b
            case let (.ints(a), .ints(b)): return a == b
            case let (.doubles(a), .doubles(b)): return a.map(\.bitPattern) == b.map(\.bitPattern)
            case let (.strings(a), .strings(b)): return a == b
            default: return false
            }
        }

        public var description: String {
            switch self {
            case .int(let v): return String(v)
            case .double(let v): return String(v)
            case .string(let v): return "\"\(v)\""
            case .bool(let v): return String(v)
            case .ints(let v): return String(describing: v)
            case .doubles(let v): return String(describing: v)
            case .strings(let v): return String(describing: v)
            }
        }
    }

    /// The model's name, e.g. "resnet20" or "mlp".
    public var name: String
    /// Named hyperparameters of the architecture (not of training).
    public var config: [String: Value]

    public init(name: String, config: [String: Value] = [:]) {
        self.name = name
        self.config = config
    }

    /// `["model": "resnet20", "classes": 10]`: the string under "model" is the name, the rest the config.
    public init(dictionaryLiteral elements: (String, Value)...) {
        var name = ""
        var config: [String: Value] = [:]
        for (key, value) in elements {
            if key == "model", case .string(let s) = value { name = s } else { config[key] = value }
        }
        self.init(name: name, config: config)
    }

    public subscript(key: String) -> Value? {
        get { config[key] }
        set { config[key] = newValue }
    }

    /// The value under `key` if it is an `.int`.
    public func int(_ key: String) -> Int? { if case .int(let v)? = config[key] { v } else { nil } }
    /// The value under `key` if it is a `.double` (or an `.int`, converted).
    public func double(_ key: String) -> Double? {
        switch config[key] {
        case .double(let v)?: v
        case .int(let v)?: Double(v)
        default: nil
        }
    }
    /// The value under `key` if it is a `.string`.
    public func string(_ key: String) -> String? { if case .string(let v)? = config[key] { v } else { nil } }
    /// The value under `key` if it is a `.bool`.
    public func bool(_ key: String) -> Bool? { if case .bool(let v)? = config[key] { v } else { nil } }
}

/// One epoch's numbers, as a training log and `dlexport` report them.
/// Accuracies are fractions in [0, 1]; test values are nil when the epoch
/// was not evaluated. Doubles compare by their bits.
public struct EpochMetrics: Sendable, Equatable {
    /// The epoch, counted from 0.
    public var epoch: Int
    public var trainLoss: Double
    public var trainAccuracy: Double
    public var testLoss: Double?
    public var testAccuracy: Double?
    /// The (first group's) learning rate used during the epoch.
    public var learningRate: Double
    /// Wall-clock seconds the epoch took.
    public var seconds: Double

    public init(epoch: Int, trainLoss: Double, trainAccuracy: Double, testLoss: Double? = nil, testAccuracy: Double? = nil,
                learningRate: Double, seconds: Double) {
        self.epoch = epoch
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testLoss = testLoss
        self.testAccuracy = testAccuracy
        self.learningRate = learningRate
        self.seconds = seconds
    }

    public static func == (lhs: EpochMetrics, rhs: EpochMetrics) -> Bool {
        lhs.epoch == rhs.epoch
            && lhs.trainLoss.bitPattern == rhs.trainLoss.bitPattern
            && lhs.trainAccuracy.bitPattern == rhs.trainAccuracy.bitPattern
            && lhs.testLoss?.bitPattern == rhs.testLoss?.bitPattern
            && lhs.testAccuracy?.bitPattern == rhs.testAccuracy?.bitPattern
            && lhs.learningRate.bitPattern == rhs.learningRate.bitPattern
            && lhs.seconds.bitPattern == rhs.seconds.bitPattern
    }
}

// MARK: - bitwise equality

/// Same names in the same order, same shapes, same bits.
func bitwiseEqual(_ a: StateDict<Float>, _ b: StateDict<Float>) -> Bool {
    guard a.keys == b.keys else { return false }
    for (key, tensor) in a {
        guard let other = b[key], other.shape == tensor.shape,
              tensor.scalars.map(\.bitPattern) == other.scalars.map(\.bitPattern) else { return false }
    }
    return true
}

func bitwiseEqual(_ a: [String: Double]?, _ b: [String: Double]?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (a?, b?): return a.mapValues(\.bitPattern) == b.mapValues(\.bitPattern)
    default: return false
    }
}

/// Equal, with the doubles compared by their bits (as everywhere in a checkpoint).
func bitwiseEqual(_ a: InputContract?, _ b: InputContract?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (a?, b?):
        return a.dataset == b.dataset && a.channelOrder == b.channelOrder && a.resize == b.resize
            && [a.pixelRange, a.mean, a.std].map { $0.map(\.bitPattern) } == [b.pixelRange, b.mean, b.std].map { $0.map(\.bitPattern) }
    default: return false
    }
}

func bitwiseEqual(_ a: OptimizerState<Float>?, _ b: OptimizerState<Float>?) -> Bool {
    switch (a, b) {
    case (nil, nil): return true
    case let (a?, b?):
        return a.parameterShapes == b.parameterShapes && bitwiseEqual(a.tensors, b.tensors)
            && bitwiseEqual(a.values, b.values)
    default: return false
    }
}
