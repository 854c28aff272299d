#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import DLImage

/// The whole of a training run, as `dltrain` performs it: the model from the
/// zoo, the data set found at a path, the optimizer and schedule of the
/// recipe, one evaluation on the test split and one atomic checkpoint (and
/// log rewrite) per epoch, and an exact resume from that checkpoint.
///
/// ```swift
/// var options = TrainingOptions()
/// options.model = "lenet5"; options.data = "../shared/datasets/mnist"; options.epochs = 3
/// let trainer = try Trainer(options)          // validates everything before touching any file
/// let summary = try trainer.run()             // writes options.out after every epoch
/// ```
///
/// Determinism: the model is initialised from `seed`, the data order and
/// augmentation from `seed` and the epoch (see `DataLoader`), and the
/// checkpoint holds every other state, so a run resumed from the checkpoint
/// of epoch k ends with bit-identical weights to one that was never
/// interrupted, given the same thread count (the kernels' reduction order
/// depends on it).
public final class Trainer {
    public let options: TrainingOptions
    public let settings: TrainingSettings
    public let threads: Int
    /// The run's own kernel pool: its results depend on `threads` alone.
    private let pool: ComputePool.Private
    public let data: TrainingData
    public let model: Module<Float>
    public let architecture: ArchitectureDescription
    public let optimizer: Optimizer<Float>
    /// nil for `constant`.
    public let schedule: (any LearningRateSchedule)?
    public let trainLoader: DataLoader<ImageDataset>
    public let testLoader: DataLoader<ImageDataset>
    public let console: TrainingConsole
    public let log: MetricsLog?
    /// Epochs completed (the next epoch to run, counted from 0).
    public private(set) var epoch = 0
    /// Optimizer steps taken.
    public private(set) var step = 0
    public private(set) var metrics: [EpochMetrics] = []
    /// What happened before training: the resumed epoch, the keys loaded by --init, the frozen parameters.
    public private(set) var notes: [String] = []

    /// Validates the options, reads a checkpoint to resume or initialise
    /// from, loads the data and builds every training object. Throws
    /// `TrainingError` (naming the flag, file or value) before anything on
    /// disk is written.
    public init(_ givenOptions: TrainingOptions, console: TrainingConsole = .silent) throws {
        TrainingHeap.retainFreedMemory()
        // Checkpoints first: a resume takes its settings from one, and so does --qat's fine-tuning.
        let qatStart = try Self.quantizationAwareStart(givenOptions)
        let options = qatStart?.options ?? givenOptions
        self.options = options
        self.console = console
        let (resumed, stored) = try Self.resumedRun(options)
        try Self.checkQuantizationAwareResume(options, stored: stored)
        var initCheckpoint: Checkpoint?
        if !options.resume, let path = options.initFrom {
            initCheckpoint = try Self.readCheckpoint(path, purpose: "initialise from (--init)")
        }
        let settings = try TrainingSettings.resolve(options, stored: stored, fallbackModel: initCheckpoint?.architecture.name)
        self.settings = settings
        if let initCheckpoint, let model = options.model, initCheckpoint.architecture.name != model {
            throw TrainingError.checkpoint("--init '\(settings.initFrom!)' holds a \(initCheckpoint.architecture.name), not a \(model)")
        }
        let entry: ModelZoo.Entry
        do { entry = try ModelZoo.entry(settings.model) } catch { throw TrainingError.model("\(error)") }
        try Self.checkOutputs(options, log: settings.log, resumed: resumed)

        threads = options.threads ?? max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        pool = ComputePool.Private(threads: threads)

        // Data: its sample shape and classes size the model.
        var data = try TrainingData.load(settings.data, inputShape: entry.defaultInputShape, limitTrain: settings.limitTrain,
                                         limitTest: settings.limitTest, threads: threads)
        if settings.cutout > 0 {
            var transform = data.train.transform
            transform.cutout = settings.cutout
            data.train = try data.train.transformed(transform)
        }
        self.data = data
        let inputShape = data.train.sampleShape
        guard data.test.sampleShape == inputShape else {
            throw TrainingError.data("train images are \(inputShape) but test images \(data.test.sampleShape)")
        }
        let classes = data.classes.count
        if let n = settings.resetHead, n != classes {
            throw TrainingError.invalidOption("--reset-head \(n) but '\(settings.data)' has \(classes) classes")
        }

        let model: Module<Float>
        do {
            model = try ModelZoo.make(settings.model, classes: classes, inputShape: inputShape, seed: settings.seed)
        } catch {
            throw TrainingError.model("cannot build \(settings.model) for \(data.kind.rawValue) data of shape \(inputShape) with \(classes) classes: \(error)")
        }
        self.model = model
        var architecture = ArchitectureDescription(name: settings.model, config: [
            "classes": .int(classes), "input_shape": .ints(inputShape), "class_names": .strings(data.classes),
        ])

        if let initCheckpoint {
            notes.append(try Self.initialise(model, from: initCheckpoint, path: settings.initFrom!, settings: settings,
                                             inputShape: inputShape, classes: classes))
        }
        if let qatFrom = settings.qatFrom {
            // After the fp32 weights load (their checkpoint has no observers), before a QAT checkpoint restores.
            if let qatStart {
                notes.append(try Self.initialise(model, from: qatStart.checkpoint, path: qatFrom, settings: settings,
                                                 inputShape: inputShape, classes: classes))
            }
            let layers = model.enableFakeQuantization()
            architecture.config[ArchitectureDescription.fakeQuantizationKey] = .bool(true)
            notes.append("quantization-aware training: \(layers) conv/linear layers fake-quantize their input and weight to int8 (fine-tuning '\(qatFrom)')")
        }
        self.architecture = architecture
        for pattern in settings.freeze {
            let frozen = model.freeze(matching: NamePattern(pattern))
            guard !frozen.isEmpty else {
                let names = model.namedParameters().map(\.name)
                throw TrainingError.invalidOption("--freeze '\(pattern)' matches no parameter of \(settings.model) (its parameters: \(names.prefix(12).joined(separator: ", "))\(names.count > 12 ? ", ..." : ""))")
            }
            notes.append("froze \(frozen.count) parameters matching '\(pattern)'")
        }
        guard !model.trainableParameters().isEmpty else {
            throw TrainingError.invalidOption("--freeze leaves no parameter to train")
        }

        let loaderThreads = min(8, threads)
        trainLoader = try DataLoader(data.train, batchSize: settings.batchSize, shuffle: true, seed: settings.seed,
                                     dropLast: data.train.count > settings.batchSize, threads: loaderThreads)
        testLoader = try DataLoader(data.test, batchSize: max(settings.batchSize, 256), threads: loaderThreads)

        optimizer = Self.makeOptimizer(settings, groups: [ParameterGroup(model.parameters())])
        schedule = Self.makeSchedule(settings, optimizer: optimizer, batchesPerEpoch: trainLoader.batchCount)
        log = settings.log.map(MetricsLog.init(path:))

        if let resumed {
            try Self.restore(resumed, from: options.out, architecture: architecture, seed: settings.seed, model: model,
                             optimizer: optimizer, schedule: schedule)
            (epoch, step, metrics) = (resumed.epoch, resumed.step, resumed.metrics)
            notes.append("resuming '\(options.out)' after epoch \(epoch) (step \(step))")
        }
    }

    /// Restores a resumed run's model, optimizer and schedule, after checking that the
    /// checkpoint at `path` is the same architecture and data order as the run being built.
    static func restore(_ resumed: Checkpoint, from path: String, architecture: ArchitectureDescription, seed: UInt64,
                        model: Module<Float>, optimizer: Optimizer<Float>, schedule: (any LearningRateSchedule)?) throws {
        guard resumed.architecture == architecture else {
            throw TrainingError.checkpoint("cannot resume from '\(path)': it holds \(resumed.architecture.name) \(resumed.architecture.config), the data gives \(architecture.config)")
        }
        do {
            try resumed.restore(model: model, optimizer: optimizer, schedule: schedule)
        } catch {
            throw TrainingError.checkpoint("cannot resume from '\(path)': \(error)")
        }
        if let stored = resumed.rngStates["loader.seed"], stored != seed {
            throw TrainingError.checkpoint("cannot resume from '\(path)': its loader seed \(stored) differs from the recipe's seed \(seed)")
        }
    }

    /// The learning-rate schedule of `settings` (epoch-based ones over `settings.epochs`).
    /// Transfer learning is for classifiers: a model that trains from scratch refuses its flags.
    static func refuseTransferFlags(_ options: TrainingOptions, model: String) throws {
        if options.initFrom != nil || !options.freeze.isEmpty || options.resetHead != nil {
            throw TrainingError.invalidOption("--init, --freeze and --reset-head are for classifiers; \(model) trains from scratch")
        }
    }

    /// The optimizer `settings` name over `groups`: --momentum is SGD's momentum or Adam's beta1.
    static func makeOptimizer(_ settings: TrainingSettings, groups: [ParameterGroup<Float>]) -> Optimizer<Float> {
        let (rate, decay, beta1) = (settings.learningRate, settings.weightDecay, settings.momentum)
        switch settings.optimizer {
        case .sgd: return SGD(groups: groups, learningRate: rate, momentum: beta1, weightDecay: decay)
        case .adam: return Adam(groups: groups, learningRate: rate, betas: (beta1, 0.999), weightDecay: decay)
        case .adamw: return AdamW(groups: groups, learningRate: rate, betas: (beta1, 0.999), weightDecay: decay)
        }
    }

    /// The end of an epoch for a schedule stepped per epoch (plateau on `metric`); per-batch ones (one-cycle) step elsewhere.
    static func stepAfterEpoch(_ schedule: (any LearningRateSchedule)?, metric: Double) {
        switch schedule {
        case let plateau as ReduceLROnPlateau<Float>: plateau.step(metric: metric)
        case is OneCycleLR<Float>, nil: break
        case let s as LRScheduler<Float>: s.step()
        default: break
        }
    }

    static func makeSchedule(_ settings: TrainingSettings, optimizer: Optimizer<Float>,
                             batchesPerEpoch: Int) -> (any LearningRateSchedule)? {
        let epochs = settings.epochs
        switch settings.schedule {
        case .constant: return nil
        case .step: return StepLR(optimizer: optimizer, stepSize: max(1, epochs / 3), gamma: 0.1)
        case .multistep:
            let milestones = Array(Set([max(1, epochs / 2), max(1, epochs * 3 / 4)])).sorted()
            return MultiStepLR(optimizer: optimizer, milestones: milestones, gamma: 0.1)
        case .cosine: return CosineAnnealingLR(optimizer: optimizer, tMax: epochs)
        case .plateau: return ReduceLROnPlateau(optimizer: optimizer, factor: 0.1, patience: max(1, epochs / 10))
        case .onecycle:
            return OneCycleLR(optimizer: optimizer, maxLearningRate: settings.learningRate,
                              totalSteps: max(1, epochs * batchesPerEpoch))
        }
    }

    /// The schedule in words, for the run's header.
    public var scheduleDescription: String {
        switch schedule {
        case let s as StepLR<Float>: return "step (x\(s.gamma) every \(s.stepSize) epochs)"
        case let s as MultiStepLR<Float>: return "multistep (x\(s.gamma) at epochs \(s.milestones.map(String.init).joined(separator: ", ")))"
        case is CosineAnnealingLR<Float>: return "cosine over \(settings.epochs) epochs"
        case let s as ReduceLROnPlateau<Float>: return "plateau (x\(s.factor) after \(s.patience) epochs without a better test loss)"
        case let s as OneCycleLR<Float>: return "onecycle (peak \(settings.learningRate) over \(s.totalSteps) steps)"
        default: return "constant"
        }
    }

    // MARK: - the loop

    /// What `run()` did.
    public struct Summary: Sendable {
        public var epochsRun: Int
        public var final: EpochMetrics?
        public var best: EpochMetrics?
        public var seconds: Double
    }

    /// Trains the remaining epochs up to `settings.epochs` (or `options.stopAfter`); after each one,
    /// evaluates on the test split, steps the schedule, writes the checkpoint
    /// atomically and rewrites the log.
    @discardableResult
    public func run() throws -> Summary {
        let start = monotonicSeconds()
        let first = epoch
        while epoch < min(settings.epochs, options.stopAfter ?? Int.max) {
            try runEpoch()
        }
        let best = metrics.filter { $0.testAccuracy != nil }.max { $0.testAccuracy! < $1.testAccuracy! }
        return Summary(epochsRun: epoch - first, final: metrics.last, best: best, seconds: monotonicSeconds() - start)
    }

    /// One epoch: train, evaluate, schedule, checkpoint, log.
    public func runEpoch() throws {
        let learningRate = optimizer.learningRate
        let trained = try trainEpoch()
        let evaluated = evaluate()
        Self.stepAfterEpoch(schedule, metric: evaluated.loss)
        let record = EpochMetrics(epoch: epoch, trainLoss: trained.loss, trainAccuracy: trained.accuracy,
                                  testLoss: evaluated.loss, testAccuracy: evaluated.accuracy,
                                  learningRate: learningRate, seconds: trained.seconds)
        metrics.append(record)
        epoch += 1
        try checkpoint().write(to: options.out, orThrow: TrainingError.output)
        try log?.write(metrics, trainExamples: data.train.count)
        console.result(formatted("epoch %d/%d  train loss %.4f acc %.2f%%  test loss %.4f acc %.2f%%  lr %.3g  %.1f s  %.0f img/s",
                                 epoch, settings.epochs, trained.loss, trained.accuracy * 100, evaluated.loss,
                                 evaluated.accuracy * 100, learningRate, trained.seconds,
                                 Double(trained.images) / max(trained.seconds, 1e-9)))
    }

    /// The checkpoint of the run as it is now.
    public func checkpoint() -> Checkpoint {
        Checkpoint.capture(architecture: architecture, model: model, optimizer: optimizer, schedule: schedule,
                           rngStates: ["loader.seed": trainLoader.seed], epoch: epoch, step: step, metrics: metrics,
                           recipe: settings.recipeText(threads: threads),
                           input: data.inputContract, samples: [data.testSample()])
    }

    /// Trains one epoch (`epoch`); returns the mean loss and accuracy over its examples.
    public func trainEpoch() throws -> (loss: Double, accuracy: Double, seconds: Double, images: Int) {
        try pool.run {
            model.train()
            let start = monotonicSeconds()
            let progress = ProgressBar(console: console, title: "epoch \(epoch + 1)/\(settings.epochs)",
                                       totalBatches: trainLoader.batchCount)
            defer { progress.finish() }
            let oneCycle = schedule as? OneCycleLR<Float>
            var lossSum = 0.0, correct = 0, seen = 0, done = 0
            for batch in trainLoader.batches(epoch: epoch) {
                let logits = model(batch.inputTensor)
                let loss = crossEntropy(logits: logits, labels: batch.labels, labelSmoothing: Float(settings.labelSmoothing))
                let value = Double(loss.item())
                guard value.isFinite else {
                    throw TrainingError.diverged("the loss is \(value) at epoch \(epoch + 1), batch \(done + 1) (step \(step)); try a lower --lr. '\(options.out)' holds the last complete epoch")
                }
                optimizer.zeroGrad()
                loss.backward()
                optimizer.step()
                if let oneCycle, oneCycle.lastEpoch < oneCycle.totalSteps { oneCycle.step() }
                step += 1
                done += 1
                lossSum += value * Double(batch.count)
                correct += Self.correctCount(logits, batch.labels)
                seen += batch.count
                progress.update(done: done, images: seen, loss: lossSum / Double(seen), accuracy: Double(correct) / Double(seen))
            }
            return (lossSum / Double(max(seen, 1)), Double(correct) / Double(max(seen, 1)), monotonicSeconds() - start, seen)
        }
    }

    /// Mean loss and accuracy on the test split, in evaluation mode, without recording gradients.
    public func evaluate() -> (loss: Double, accuracy: Double) {
        pool.run {
            model.eval()
            defer { model.train() }
            return withNoGrad {
                var lossSum = 0.0, correct = 0, seen = 0
                for batch in testLoader.batches(epoch: 0) {
                    let logits = model(batch.inputTensor)
                    lossSum += Double(crossEntropy(logits: logits, labels: batch.labels).item()) * Double(batch.count)
                    correct += Self.correctCount(logits, batch.labels)
                    seen += batch.count
                }
                return (lossSum / Double(max(seen, 1)), Double(correct) / Double(max(seen, 1)))
            }
        }
    }

    /// How many rows of `logits` ([N, C]) have their largest value at the label.
    static func correctCount(_ logits: Tensor<Float>, _ labels: [Int]) -> Int {
        let c = logits.shape.last ?? 1
        var correct = 0
        logits.withUnsafeBufferPointer { p in
            for (i, label) in labels.enumerated() {
                var best = 0
                for j in 1..<max(c, 1) where p[i * c + j] > p[i * c + best] { best = j }
                if best == label { correct += 1 }
            }
        }
        return correct
    }

    // MARK: - checks and transfer learning

    static func readCheckpoint(_ path: String, purpose: String) throws -> Checkpoint {
        do {
            return try Checkpoint.read(from: path)
        } catch let error as CheckpointError {
            if case .io(_, _, let code, _) = error, code == ENOENT {
                throw TrainingError.checkpoint("cannot \(purpose) '\(path)': no such file")
            }
            throw TrainingError.checkpoint("cannot \(purpose) '\(path)': \(error)")
        }
    }

    /// Fails unless a file can be created next to `path` (tried with a
    /// temporary file that is removed at once), `path` is not a directory,
    /// and (unless `allowExisting`) nothing is at `path` yet.
    /// With --resume, the checkpoint at --out and the dltrain settings its recipe holds; (nil, nil) otherwise.
    static func resumedRun(_ options: TrainingOptions) throws -> (checkpoint: Checkpoint?, settings: [String: String]?) {
        guard options.resume else { return (nil, nil) }
        guard FileIO.exists(options.out) else {
            throw TrainingError.checkpoint("--resume: there is no checkpoint at '\(options.out)' (the --out path) to continue")
        }
        let checkpoint = try readCheckpoint(options.out, purpose: "resume from")
        guard let settings = TrainingSettings.parseRecipe(checkpoint.recipe) else {
            throw TrainingError.checkpoint("cannot resume from '\(options.out)': its recipe holds no dltrain settings (not written by dltrain)")
        }
        return (checkpoint, settings)
    }

    /// Before anything is built: --epochs against the resumed run, and the checkpoint and `log` writable.
    /// A complete run resumed is not an error (there is nothing to do); asking for fewer epochs than it holds is.
    static func checkOutputs(_ options: TrainingOptions, log: String?, resumed: Checkpoint?) throws {
        if let resumed, let epochs = options.epochs, epochs < resumed.epoch {
            throw TrainingError.invalidOption("--epochs \(epochs) is fewer than the \(resumed.epoch) epochs '\(options.out)' already holds")
        }
        try checkWritable(options.out, what: "--out", allowExisting: options.resume || options.overwrite)
        if let log { try checkWritable(log, what: "--log", allowExisting: true) }
    }

    static func checkWritable(_ path: String, what: String, allowExisting: Bool) throws {
        if let problem = OutputPathProblem.of(path) {
            throw TrainingError.output(problem.message(naming: "\(what) '\(path)'"))
        }
        if FileIO.exists(path) && !allowExisting {
            throw TrainingError.output("\(what) '\(path)' already exists; pass --resume to continue that run or --overwrite to start a new one")
        }
    }

    /// Loads `checkpoint`'s weights into `model` for --init: every name
    /// must match, except the classifier head when --reset-head replaces it
    /// (found as the parameters whose shapes depend on the class count).
    static func initialise(_ model: Module<Float>, from checkpoint: Checkpoint, path: String, settings: TrainingSettings,
                           inputShape: [Int], classes: Int) throws -> String {
        var state = checkpoint.model
        var headKeys: [String] = []
        if settings.resetHead != nil {
            let other = try? ModelZoo.make(settings.model, classes: classes + 1, inputShape: inputShape, seed: settings.seed)
            let mine = model.stateDict()
            if let other {
                let theirs = other.stateDict()
                headKeys = mine.keys.filter { theirs[$0]?.shape != mine[$0]?.shape }
            }
            var kept = StateDict<Float>()
            for (key, tensor) in state where !headKeys.contains(key) { kept[key] = tensor }
            state = kept
        }
        let report: LoadReport
        do {
            report = try model.load(state, strict: false)
        } catch {
            throw TrainingError.checkpoint("cannot initialise from '\(path)': \(error)")
        }
        let missing = report.missingKeys.filter { !headKeys.contains($0) }
        guard missing.isEmpty, report.unexpectedKeys.isEmpty, report.shapeMismatches.isEmpty else {
            var why = "\(report)"
            if settings.resetHead == nil && !report.shapeMismatches.isEmpty {
                why += " (the data has \(classes) classes; pass --reset-head \(classes) to replace the classifier head)"
            }
            throw TrainingError.checkpoint("'\(path)' does not fit \(settings.model): \(why)")
        }
        return "initialised \(report.loadedKeys.count) tensors from '\(path)'"
            + (headKeys.isEmpty ? "" : "; new head: \(headKeys.joined(separator: ", ")) (\(classes) classes)")
    }
}

extension Checkpoint {
    /// `write(to:)` with its error wrapped (the file at `path` is as it was).
    func write(to path: String, orThrow wrap: (String) -> TrainingError) throws {
        do { try write(to: path) } catch { throw wrap("cannot write the checkpoint '\(path)': \(error)") }
    }
}
