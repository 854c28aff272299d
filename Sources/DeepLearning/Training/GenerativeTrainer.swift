import DLImage
import DLSupport

/// A `dltrain` run of a generative model (`GenerativeZoo`): the DCGAN
/// (adversarial updates, `DCGAN.adversarialStep`) or the convolutional
/// autoencoder (mean squared reconstruction error). It shares the
/// classifier trainer's settings, recipe, checks, checkpoint and log; what
/// differs is the step, the measurements and the picture written after
/// every epoch next to the checkpoint (`samplePath(epoch:)`):
///
/// - dcgan: an 8 x 8 grid of the generator's images (evaluation mode) for a
///   fixed noise batch, the first 64 latents of `PortableNormal(seed:)` —
///   the same latents `dlsample --seed <seed>` draws — from the generator's
///   moving average when the run keeps one (`--ema`);
/// - autoencoder: 16 test images above their reconstructions.
///
/// Measurements in the checkpoint's `EpochMetrics` and the log:
///
/// | EpochMetrics | dcgan (log column) | autoencoder (log column) |
/// |--------------|--------------------|--------------------------|
/// | trainLoss | discriminator loss (`d_loss`) | train MSE (`train_mse`) |
/// | trainAccuracy | discriminator accuracy (`d_accuracy`) | 0 (not logged) |
/// | testLoss | generator loss (`g_loss`) | test MSE (`test_mse`) |
/// | testAccuracy | nil | nil |
///
/// Determinism as `Trainer`: the weights come from `seed`, the data order
/// from (seed, epoch), the noise of epoch e from `noiseSeed(seed:epoch:)`,
/// and the checkpoint holds every other state (both networks, the one
/// optimizer with a group per network, batch-norm statistics), so a run
/// resumed from epoch k ends with bit-identical weights to one that was
/// never interrupted, given the same thread count.
public final class GenerativeTrainer: EpochLoop {
    public let options: TrainingOptions
    public let settings: TrainingSettings
    public let entry: GenerativeZoo.Entry
    public let threads: Int
    /// The run's own kernel pool: its results depend on `threads` alone.
    private let pool: ComputePool.Private
    public let data: TrainingData
    public let model: Module<Float>
    public let architecture: ArchitectureDescription
    public let optimizer: Optimizer<Float>
    public let schedule: (any LearningRateSchedule)?
    public let trainLoader: DataLoader<ImageDataset>
    public let testLoader: DataLoader<ImageDataset>
    public let console: TrainingConsole
    public let log: MetricsLog?
    public private(set) var epoch = 0
    public private(set) var step = 0
    public private(set) var metrics: [EpochMetrics] = []
    public private(set) var notes: [String] = []

    /// The generative model `options` name: --model, or with --resume the one
    /// the checkpoint at --out holds. nil for a classifier (use `Trainer`).
    public static func entry(for options: TrainingOptions) -> GenerativeZoo.Entry? {
        if let name = options.model { return GenerativeZoo.entry(name) }
        guard options.resume, let checkpoint = try? Checkpoint.read(from: options.out) else { return nil }
        return GenerativeZoo.entry(checkpoint.architecture.name)
    }

    /// Validates the options, reads the checkpoint to resume, loads the data
    /// and builds every training object; throws `TrainingError` before any
    /// file is written.
    public init(_ options: TrainingOptions, console: TrainingConsole = .silent) throws {
        TrainingHeap.retainFreedMemory()
        self.options = options
        self.console = console
        let (resumed, stored) = try Trainer.resumedRun(options)
        let settings = try TrainingSettings.resolve(options, stored: stored)
        self.settings = settings
        guard let entry = GenerativeZoo.entry(settings.model) else {
            throw TrainingError.model("\(settings.model) is not a generative model (those are: \(GenerativeZoo.names.joined(separator: ", ")))")
        }
        self.entry = entry
        try Trainer.refuseTransferFlags(options, model: entry.name)
        try Trainer.checkOutputs(options, log: settings.log, resumed: resumed)
        threads = options.threads ?? ParallelFor.processorCount
        pool = ComputePool.Private(threads: threads)

        // Pixels to the model's output range, no augmentation.
        var data = try TrainingData.load(settings.data, inputShape: entry.defaultImageShape, limitTrain: settings.limitTrain,
                                         limitTest: settings.limitTest, threads: threads)
        let imageShape = data.train.sampleShape
        let transform = ImageTransform(range: entry.pixelRange)
        do {
            data.train = try data.train.transformed(transform)
            data.test = try data.test.transformed(transform)
        } catch {
            throw TrainingError.data("cannot scale '\(settings.data)' to \(entry.pixelRange): \(error)")
        }
        data.inputContract = InputContract(dataset: data.inputContract.dataset, channels: imageShape[0], transform: transform,
                                           resize: data.inputContract.resize)
        self.data = data

        let storedWidth = resumed?.architecture.int("width")
        if let width = options.width, let storedWidth, width != storedWidth {
            throw TrainingError.invalidOption("--width \(width) differs from the resumed run's width \(storedWidth)")
        }
        architecture = GenerativeZoo.architecture(entry.name, imageShape: imageShape,
                                                  width: options.width ?? storedWidth ?? DCGAN<Float>.defaultWidth,
                                                  averageDecay: options.averageDecay ?? resumed?.architecture.averageDecay,
                                                  classNames: try Self.conditionalClassNames(options, resumed: resumed, data: data))
        do {
            model = try GenerativeZoo.make(architecture, seed: settings.seed)
        } catch {
            throw TrainingError.model("cannot build \(entry.name) for images of shape \(imageShape): \(error)")
        }
        let groups = (model as? DCGAN<Float>)?.parameterGroups ?? [ParameterGroup(model.parameters())]
        optimizer = Trainer.makeOptimizer(settings, groups: groups)
        let loaderThreads = min(8, threads)
        trainLoader = try DataLoader(data.train, batchSize: settings.batchSize, shuffle: true, seed: settings.seed,
                                     dropLast: data.train.count > settings.batchSize, threads: loaderThreads)
        testLoader = try DataLoader(data.test, batchSize: max(settings.batchSize, 256), threads: loaderThreads)
        schedule = Trainer.makeSchedule(settings, optimizer: optimizer, batchesPerEpoch: trainLoader.batchCount)
        log = settings.log.map { MetricsLog(path: $0, measurements: Self.measurementNames(entry.objective)) }

        if let resumed {
            try Trainer.restore(resumed, from: options.out, architecture: architecture, seed: settings.seed, model: model,
                                optimizer: optimizer, schedule: schedule)
            (epoch, step, metrics) = (resumed.epoch, resumed.step, resumed.metrics)
            notes.append("resuming '\(options.out)' after epoch \(epoch) (step \(step))")
        }
    }

    /// An AC-GAN's classes: the resumed run's, or with `--conditional` the data set's; none otherwise.
    static func conditionalClassNames(_ options: TrainingOptions, resumed: Checkpoint?, data: TrainingData) throws -> [String] {
        if let resumed {
            let stored = resumed.architecture.conditionalClassNames
            if options.conditional && stored.isEmpty {
                throw TrainingError.invalidOption("--conditional: the resumed run '\(options.out)' trains an unconditional dcgan")
            }
            return stored
        }
        guard options.conditional else { return [] }
        let names = data.train.classes
        guard names.count >= 2 else {
            throw TrainingError.invalidOption("--conditional needs a labelled data set with at least 2 classes; this one has \(names.count)")
        }
        return names
    }

    /// The log columns of `EpochMetrics` for an objective (see the table above).
    public static func measurementNames(_ objective: GenerativeZoo.Objective) -> MetricsLog.MeasurementNames {
        switch objective {
        case .adversarial: return .init(trainLoss: "d_loss", trainAccuracy: "d_accuracy", testLoss: "g_loss", testAccuracy: nil)
        case .reconstruction: return .init(trainLoss: "train_mse", trainAccuracy: nil, testLoss: "test_mse", testAccuracy: nil)
        }
    }

    /// The seed of epoch `epoch`'s noise (a pure function, so a resumed run draws what an uninterrupted one does).
    public static func noiseSeed(seed: UInt64, epoch: Int) -> UInt64 {
        var mixer = PortableNormal(seed: seed ^ 0xD1B5_4A32_D192_ED03)
        for _ in 0...epoch { _ = mixer.nextBits() }
        return mixer.nextBits()
    }

    /// The picture written after epoch `epoch` (counted from 1): beside
    /// --out, its name without the extension plus `-epoch-NNN.png`.
    public func samplePath(epoch: Int) -> String {
        var stem = options.out
        if let dot = stem.lastIndex(of: "."), !stem[dot...].contains("/") { stem = String(stem[..<dot]) }
        return stem + formatted("-epoch-%03d.png", epoch)
    }

    // MARK: - the loop

    /// One epoch: train, measure, schedule, picture, checkpoint, log.
    public func runEpoch() throws {
        let learningRate = optimizer.learningRate
        let trained = try trainEpoch()
        let testLoss = entry.objective == .reconstruction ? testError() : trained.generatorLoss
        Trainer.stepAfterEpoch(schedule, metric: testLoss)
        metrics.append(EpochMetrics(epoch: epoch, trainLoss: trained.loss, trainAccuracy: trained.accuracy, testLoss: testLoss,
                                    learningRate: learningRate, seconds: trained.seconds))
        epoch += 1
        recalibrateAverage()
        let picture = samplePath(epoch: epoch)
        try writePicture(to: picture)
        try checkpoint().write(to: options.out, orThrow: TrainingError.output)
        try log?.write(metrics, trainExamples: data.train.count)
        let rate = Double(trained.images) / max(trained.seconds, 1e-9)
        switch entry.objective {
        case .adversarial:
            console.result(formatted("epoch %d/%d  D loss %.4f (accuracy %.1f%%)  G loss %.4f  lr %.3g  %.1f s  %.0f img/s",
                                     epoch, settings.epochs, trained.loss, trained.accuracy * 100, testLoss, learningRate,
                                     trained.seconds, rate) + "  samples \(picture)")
        case .reconstruction:
            console.result(formatted("epoch %d/%d  train MSE %.5f  test MSE %.5f  lr %.3g  %.1f s  %.0f img/s",
                                     epoch, settings.epochs, trained.loss, testLoss, learningRate, trained.seconds, rate)
                           + "  reconstructions \(picture)")
        }
    }

    public func checkpoint() -> Checkpoint {
        Checkpoint.capture(architecture: architecture, model: model, optimizer: optimizer, schedule: schedule,
                           rngStates: ["loader.seed": trainLoader.seed], epoch: epoch, step: step, metrics: metrics,
                           recipe: settings.recipeText(threads: threads),
                           input: data.inputContract, samples: [data.testSample()])
    }

    /// Trains epoch `epoch`: the mean loss (D's, or the MSE) and accuracy (D's, or 0) over its batches, and G's mean loss.
    public func trainEpoch() throws -> (loss: Double, accuracy: Double, generatorLoss: Double, seconds: Double, images: Int) {
        try pool.run {
            model.train()
            let start = monotonicSeconds()
            let progress = ProgressBar(console: console, title: "epoch \(epoch + 1)/\(settings.epochs)",
                                       totalBatches: trainLoader.batchCount)
            defer { progress.finish() }
            var noise = PortableNormal(seed: Self.noiseSeed(seed: settings.seed, epoch: epoch))
            let oneCycle = schedule as? OneCycleLR<Float>
            var lossSum = 0.0, accuracySum = 0.0, generatorSum = 0.0, seen = 0, done = 0
            for batch in trainLoader.batches(epoch: epoch) {
                let images = batch.inputTensor
                var loss = 0.0, accuracy = 0.0
                if let gan = model as? DCGAN<Float> {
                    let z = Tensor<Float>(shape: [batch.count] + gan.latentShape, scalars: noise.next(batch.count * gan.latentSize))
                    let measured = gan.adversarialStep(real: images, labels: batch.labels, noise: z, optimizer: optimizer)
                    if let decay = architecture.averageDecay { gan.updateAverage(decay: Float(decay), updates: step) }
                    (loss, accuracy) = (measured.discriminator, measured.discriminatorAccuracy)
                    generatorSum += measured.generator * Double(batch.count)
                } else {
                    let error = mse(model(images), images)
                    optimizer.zeroGrad()
                    error.backward()
                    optimizer.step()
                    loss = Double(error.item())
                }
                guard loss.isFinite else {
                    throw TrainingError.diverged("the loss is \(loss) at epoch \(epoch + 1), batch \(done + 1) (step \(step)); try a lower --lr. '\(options.out)' holds the last complete epoch")
                }
                if let oneCycle, oneCycle.lastEpoch < oneCycle.totalSteps { oneCycle.step() }
                step += 1
                done += 1
                lossSum += loss * Double(batch.count)
                accuracySum += accuracy * Double(batch.count)
                seen += batch.count
                progress.update(done: done, images: seen, loss: lossSum / Double(seen),
                                accuracy: entry.objective == .adversarial ? accuracySum / Double(seen) : nil)
            }
            let count = Double(max(seen, 1))
            return (lossSum / count, accuracySum / count, generatorSum / count, monotonicSeconds() - start, seen)
        }
    }

    /// Latents the generator's average measures its batch-norm statistics on:
    /// 16 batches of 128, the same after every epoch (a function of the seed).
    public static func recalibrationLatents(seed: UInt64, latentSize: Int) -> [Tensor<Float>] {
        var noise = PortableNormal(seed: seed ^ 0x5EED_A7E5_B47C_4E11)
        return (0..<16).map { _ in Tensor(shape: [128, latentSize, 1, 1], scalars: noise.next(128 * latentSize)) }
    }

    /// With --ema, the average's batch-norm statistics for this epoch's weights (`DCGAN.recalibrateAverage`).
    func recalibrateAverage() {
        guard let gan = model as? DCGAN<Float>, gan.averaged != nil else { return }
        pool.run { gan.recalibrateAverage(latents: Self.recalibrationLatents(seed: settings.seed, latentSize: gan.latentSize)) }
    }

    /// The autoencoder's mean squared error on the test split, in evaluation mode.
    public func testError() -> Double {
        pool.run {
            model.eval()
            defer { model.train() }
            return withNoGrad {
                var sum = 0.0, seen = 0
                for batch in testLoader.batches(epoch: 0) {
                    let images = batch.inputTensor
                    sum += Double(mse(model(images), images).item()) * Double(batch.count)
                    seen += batch.count
                }
                return sum / Double(max(seen, 1))
            }
        }
    }

    // MARK: - pictures

    /// The epoch's picture: the generator's grid or the reconstructions.
    public func picture() throws -> Image {
        try pool.run {
            model.eval()
            defer { model.train() }
            let shape = data.train.sampleShape
            let tiles: [Tensor<Float>]
            var columns = 8
            if let gan = model as? DCGAN<Float> {
                let z = PortableNormal.latents(seed: settings.seed, count: 64, size: gan.latentSize, code: gan.classCode)
                tiles = [withNoGrad { gan(Tensor(shape: [64] + gan.latentShape, scalars: z)) }]
            } else {
                let count = min(16, data.test.count)
                let batch = testLoader.batch(indices: Array(0..<count), epoch: 0)
                let inputs = batch.inputTensor
                tiles = [inputs, withNoGrad { model(inputs) }]
                columns = count
            }
            var images: [Image] = []
            for tensor in tiles {
                let size = shape.reduce(1, *)
                for k in 0..<tensor.shape[0] {
                    images.append(try Image(planar: tensor.scalars[(k * size)..<((k + 1) * size)], channels: shape[0],
                                            height: shape[1], width: shape[2], range: entry.pixelRange))
                }
            }
            return try Image.grid(images, columns: columns)
        }
    }

    func writePicture(to path: String) throws {
        do {
            try picture().writePNG(to: path)
        } catch {
            throw TrainingError.output("cannot write the picture '\(path)': \(error)")
        }
    }
}
