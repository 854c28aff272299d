import DLSupport

/// A `dltrain --model charlstm` run: a character-level LSTM language model
/// on a text file, trained with truncated backpropagation through time
/// (`TextStreams`: the state is carried from chunk to chunk, detached) and
/// gradient clipping by global norm (`clipNorm`, char-rnn's 5). It shares
/// the other trainers' settings, checks, checkpoint and log.
///
/// The text is split 90/10 in order (`TextCorpus`); each epoch reports the
/// mean training loss and the validation loss in nats per character, with
/// perplexity e^loss, and prints a sample at temperature 0.8 so that the
/// model's progress can be read ("at first … train more …").
///
/// Measurements in `EpochMetrics` and the log: trainLoss = `train_nats_per_char`,
/// testLoss = `val_nats_per_char`, no accuracy.
///
/// Determinism as `Trainer`: the weights and dropout masks come from
/// `seed`, the data order is fixed, and the checkpoint holds every other
/// state, so a resumed run ends bit-identical to an uninterrupted one given
/// the same thread count.
public final class LanguageModelTrainer: EpochLoop {
    public static let clipNorm = 5.0
    public static let sampleLength = 300
    public static let sampleTemperature = 0.8

    public let options: TrainingOptions
    public let settings: TrainingSettings
    public let recipe: CharLSTMRecipe
    public let corpus: TextCorpus
    public let threads: Int
    private let pool: ComputePool.Private
    public let model: CharLSTM<Float>
    public let architecture: ArchitectureDescription
    public let optimizer: Optimizer<Float>
    public let schedule: (any LearningRateSchedule)?
    public let trainStreams: TextStreams
    public let validationStreams: TextStreams
    public let console: TrainingConsole
    public let log: MetricsLog?
    public private(set) var epoch = 0
    public private(set) var step = 0
    public private(set) var metrics: [EpochMetrics] = []
    public private(set) var notes: [String] = []
    /// The last epoch's sample (prime included).
    public private(set) var lastSample = ""

    /// Whether `options` name a language model: --model charlstm, or with --resume a checkpoint of one.
    public static func handles(_ options: TrainingOptions) -> Bool {
        if let name = options.model { return name == CharLSTMRecipe.modelName }
        guard options.resume, let checkpoint = try? Checkpoint.read(from: options.out) else { return false }
        return checkpoint.architecture.name == CharLSTMRecipe.modelName
    }

    /// Validates the options, reads the checkpoint to resume and the text,
    /// and builds every training object; throws `TrainingError` before any
    /// file is written.
    public init(_ options: TrainingOptions, console: TrainingConsole = .silent) throws {
        TrainingHeap.retainFreedMemory()
        self.options = options
        self.console = console
        let (resumed, stored) = try Trainer.resumedRun(options)
        let settings = try TrainingSettings.resolve(options, stored: stored)
        self.settings = settings
        try Trainer.refuseTransferFlags(options, model: settings.model)
        try Trainer.checkOutputs(options, log: settings.log, resumed: resumed)
        threads = options.threads ?? ParallelFor.processorCount
        pool = ComputePool.Private(threads: threads)

        var recipe = CharLSTMRecipe.standard
        if let resumed { recipe = (try? CharLSTMRecipe.read(resumed.architecture).recipe) ?? recipe }
        if let hidden = options.hiddenSize {
            guard hidden >= 1 else { throw TrainingError.invalidOption("--hidden-size \(hidden) must be at least 1") }
            recipe.hiddenSize = hidden
        }
        self.recipe = recipe
        let (batch, steps) = (settings.batchSize, recipe.sequenceLength)
        let corpus: TextCorpus
        do {
            corpus = try TextCorpus.load(settings.data, minimumLength: steps + 1)
        } catch {
            throw TrainingError.data("\(error)")
        }
        self.corpus = corpus
        let train = settings.limitTrain.map { Array(corpus.train.prefix($0)) } ?? corpus.train
        let validation = settings.limitTest.map { Array(corpus.validation.prefix($0)) } ?? corpus.validation
        guard let trainStreams = TextStreams(train, batch: batch, steps: steps) else {
            throw TrainingError.data("the training text (\(train.count) characters) is shorter than one chunk of \(steps + 1) characters for each of the \(batch) streams of a batch; use a longer text or a smaller --batch-size")
        }
        self.trainStreams = trainStreams
        // Validation uses as many streams of the same length as its text holds, up to the batch size.
        guard let validationStreams = TextStreams(validation, batch: max(1, min(batch, validation.count / (steps + 1))),
                                                  steps: steps) else {
            throw TrainingError.data("the validation text (\(validation.count) characters) is shorter than one sequence of \(steps + 1) characters")
        }
        self.validationStreams = validationStreams

        architecture = recipe.architecture(vocabulary: corpus.vocabulary)
        var generator = SplitMix64(seed: settings.seed)
        model = recipe.model(vocabularySize: corpus.vocabulary.count, using: &generator)
        optimizer = Trainer.makeOptimizer(settings, groups: [ParameterGroup(model.parameters())])
        schedule = Trainer.makeSchedule(settings, optimizer: optimizer, batchesPerEpoch: trainStreams.chunkCount)
        log = settings.log.map {
            MetricsLog(path: $0, measurements: .init(trainLoss: "train_nats_per_char", trainAccuracy: nil,
                                                     testLoss: "val_nats_per_char", testAccuracy: nil))
        }
        if let resumed {
            try Trainer.restore(resumed, from: options.out, architecture: architecture, seed: settings.seed, model: model,
                                optimizer: optimizer, schedule: schedule)
            (epoch, step, metrics) = (resumed.epoch, resumed.step, resumed.metrics)
            notes.append("resuming '\(options.out)' after epoch \(epoch) (step \(step))")
        }
    }

    // MARK: - the loop

    /// One epoch: train, validate, schedule, sample, checkpoint, log.
    public func runEpoch() throws {
        let learningRate = optimizer.learningRate
        let trained = try trainEpoch()
        let validation = validationLoss()
        Trainer.stepAfterEpoch(schedule, metric: validation)
        metrics.append(EpochMetrics(epoch: epoch, trainLoss: trained.loss, trainAccuracy: 0, testLoss: validation,
                                    learningRate: learningRate, seconds: trained.seconds))
        epoch += 1
        lastSample = sampleText()
        try Checkpoint.capture(architecture: architecture, model: model, optimizer: optimizer, schedule: schedule,
                               epoch: epoch, step: step, metrics: metrics,
                               recipe: settings.recipeText(threads: threads))
            .write(to: options.out, orThrow: TrainingError.output)
        try log?.write(metrics, trainExamples: trainStreams.batch * trainStreams.chunkCount * trainStreams.steps)
        console.result(formatted("epoch %d/%d  train %.4f  val %.4f nats/char (perplexity %.2f)  lr %.3g  %.1f s  %.0f chars/s",
                                 epoch, settings.epochs, trained.loss, validation, Double.exp(validation), learningRate,
                                 trained.seconds, trained.characters / max(trained.seconds, 1e-9)))
        console.result("sample (temperature \(Self.sampleTemperature)):\n\(lastSample)\n")
    }

    /// Trains epoch `epoch` over every chunk: the mean loss in nats per character and the seconds.
    public func trainEpoch() throws -> (loss: Double, seconds: Double, characters: Double) {
        try pool.run {
            model.train()
            let start = monotonicSeconds()
            let chunks = trainStreams.chunkCount
            let progress = ProgressBar(console: console, title: "epoch \(epoch + 1)/\(settings.epochs)", totalBatches: chunks,
                                       unit: "chars")
            defer { progress.finish() }
            let oneCycle = schedule as? OneCycleLR<Float>
            let (batch, steps) = (trainStreams.batch, trainStreams.steps)
            var state: [RecurrentState<Float>]? = nil
            var lossSum = 0.0
            for k in 0..<chunks {
                let (inputs, targets) = trainStreams.chunk(k)
                let (logits, final) = model(tokens: inputs, batch: batch, steps: steps, state: state)
                state = final.map { $0.detached() }
                let loss = crossEntropy(logits: logits.reshaped([batch * steps, model.vocabularySize]), labels: targets)
                optimizer.zeroGrad()
                loss.backward()
                let norm = clipGradNorm(model.parameters(), maxNorm: Self.clipNorm)
                let value = Double(loss.item())
                guard value.isFinite, norm.isFinite else {
                    throw TrainingError.diverged("the loss is \(value) (gradient norm \(norm)) at epoch \(epoch + 1), chunk \(k + 1) (step \(step)); try a lower --lr. '\(options.out)' holds the last complete epoch")
                }
                optimizer.step()
                if let oneCycle, oneCycle.lastEpoch < oneCycle.totalSteps { oneCycle.step() }
                step += 1
                lossSum += value
                progress.update(done: k + 1, images: (k + 1) * batch * steps, loss: lossSum / Double(k + 1), accuracy: nil)
            }
            let seconds = monotonicSeconds() - start
            return (lossSum / Double(max(chunks, 1)), seconds, Double(chunks * batch * steps))
        }
    }

    /// The mean loss in nats per character over the validation text, in
    /// evaluation mode, with the state carried across chunks as in training.
    public func validationLoss() -> Double {
        pool.run {
            model.eval()
            defer { model.train() }
            return withNoGrad {
                let (batch, steps) = (validationStreams.batch, validationStreams.steps)
                var state: [RecurrentState<Float>]? = nil
                var sum = 0.0
                for k in 0..<validationStreams.chunkCount {
                    let (inputs, targets) = validationStreams.chunk(k)
                    let (logits, final) = model(tokens: inputs, batch: batch, steps: steps, state: state)
                    state = final
                    sum += Double(crossEntropy(logits: logits.reshaped([batch * steps, model.vocabularySize]),
                                               labels: targets).item())
                }
                return sum / Double(max(validationStreams.chunkCount, 1))
            }
        }
    }

    /// A sample of `sampleLength` characters after the validation text's
    /// first line (or first character), the same seed every epoch.
    public func sampleText() -> String {
        pool.run {
            let newline = corpus.vocabulary.firstIndex(of: "\n")
            let end = newline.flatMap { corpus.validation.firstIndex(of: $0) } ?? 0
            let prime = Array(corpus.validation[...end])
            let tokens = model.sample(prime: prime, length: Self.sampleLength, temperature: Self.sampleTemperature,
                                      seed: settings.seed)
            return corpus.decode(prime + tokens)
        }
    }
}
