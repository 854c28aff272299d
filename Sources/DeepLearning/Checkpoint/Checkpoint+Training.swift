/// Capturing the training objects into a checkpoint and restoring them.
extension Checkpoint {
    /// The RNG-state name of the Dropout at dotted `path` ("" for the model itself).
    public static func generatorKey(path: String) -> String {
        path.isEmpty ? "model.generator" : "model.\(path).generator"
    }

    /// The generator states of every Dropout in `model`, by `generatorKey(path:)`.
    public static func generatorStates(of model: Module<Float>) -> [String: UInt64] {
        var states: [String: UInt64] = [:]
        for (path, module) in model.namedModules() {
            if let dropout = module as? Dropout<Float> { states[generatorKey(path: path)] = dropout.generator.state }
        }
        return states
    }

    /// A checkpoint of the model's state dict, the optimizer's and the
    /// schedule's state, and `rngStates` plus the state of every Dropout
    /// generator in the model (under `generatorKey(path:)`), with the input
    /// contract and samples an exporter needs.
    public static func capture(architecture: ArchitectureDescription, model: Module<Float>,
                               optimizer: Optimizer<Float>? = nil, schedule: (any LearningRateSchedule)? = nil,
                               rngStates: [String: UInt64] = [:], epoch: Int, step: Int,
                               metrics: [EpochMetrics] = [], recipe: String = "", input: InputContract? = nil,
                               samples: [InputSample] = []) -> Checkpoint {
        Checkpoint(architecture: architecture, model: model.stateDict(), optimizer: optimizer?.stateDict(),
                   schedule: schedule?.stateDict(), rngStates: rngStates.merging(generatorStates(of: model)) { _, model in model },
                   epoch: epoch, step: step, metrics: metrics, recipe: recipe, input: input, samples: samples)
    }

    /// Loads the checkpoint into freshly built training objects: the model's
    /// parameters and buffers (strictly: every name, every shape), the
    /// optimizer's state (which holds the group learning rates), then the
    /// schedule's, and every Dropout's generator. Build the optimizer and
    /// schedule as for the original run first (a schedule's constructor sets
    /// learning rates that the loaded state then replaces).
    ///
    /// All or nothing: when any part does not fit — a name or shape differs,
    /// an optimizer or schedule is passed but the checkpoint has none, a
    /// Dropout's generator state is missing — this throws
    /// `CheckpointError.incompatible` and every object is as it was.
    @discardableResult
    public func restore(model: Module<Float>, optimizer: Optimizer<Float>? = nil,
                        schedule: (any LearningRateSchedule)? = nil) throws -> LoadReport {
        // Checks that need no change first.
        if optimizer != nil && self.optimizer == nil {
            throw CheckpointError.incompatible(part: "optimizer", reason: "the checkpoint holds no optimizer state")
        }
        if schedule != nil && self.schedule == nil {
            throw CheckpointError.incompatible(part: "schedule", reason: "the checkpoint holds no schedule state")
        }
        var dropouts: [(Dropout<Float>, UInt64)] = []
        for (path, module) in model.namedModules() {
            guard let dropout = module as? Dropout<Float> else { continue }
            let key = Self.generatorKey(path: path)
            guard let state = rngStates[key] else {
                throw CheckpointError.incompatible(part: "model", reason: "no RNG state '\(key)' for the Dropout at '\(path)'")
            }
            dropouts.append((dropout, state))
        }

        // Each load checks before it changes anything; earlier loads are undone when a later one fails.
        let modelBefore = model.stateDict()
        let report: LoadReport
        do {
            report = try model.load(self.model, strict: true)
        } catch {
            throw CheckpointError.incompatible(part: "model", reason: String(describing: error))
        }
        let optimizerBefore = optimizer?.stateDict()
        if let optimizer, let state = self.optimizer {
            do {
                try optimizer.load(stateDict: state)
            } catch {
                _ = try? model.load(modelBefore)
                throw CheckpointError.incompatible(part: "optimizer", reason: String(describing: error))
            }
        }
        if let schedule, let state = self.schedule {
            do {
                try schedule.load(stateDict: state)
            } catch {
                _ = try? model.load(modelBefore)
                if let optimizer, let optimizerBefore { try? optimizer.load(stateDict: optimizerBefore) }
                throw CheckpointError.incompatible(part: "schedule", reason: String(describing: error))
            }
        }
        for (dropout, state) in dropouts { dropout.generator.state = state }
        return report
    }
}
