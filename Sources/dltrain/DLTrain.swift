import ArgumentParser
import DeepLearning
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension OptimizerKind: ExpressibleByArgument {}
extension ScheduleKind: ExpressibleByArgument {}
extension TrainingConsole.ProgressStyle: ExpressibleByArgument {}

/// The command line over `Trainer`: parsing and printing only.
@main
struct DLTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dltrain",
        abstract: "Train a model-zoo network on MNIST, CIFAR-10 or an image folder.",
        discussion: """
        The data kind is detected from --data: MNIST IDX files (gzip'd or not), CIFAR-10 binary batches, \
        or an image folder with train/<class>/ and test/<class>/. Each epoch is evaluated on the test split \
        and checkpointed atomically to --out (model, optimizer, schedule, RNG states, metrics, recipe).
        Flags left out take the model's recipe: mlp/lenet5 Adam 1e-3 batch 64 cosine; CIFAR ResNets SGD 0.1 \
        momentum 0.9 weight decay 5e-4 batch 128 onecycle; others SGD 0.05 cosine. --resume continues --out \
        with the settings stored in it (bit-exact with the same --threads) and the same --log.

        Quantization-aware fine-tuning: dltrain --qat --resume fp32.ckpt [--epochs N] [--lr X] [--out qat.ckpt], \
        then dlexport qat.ckpt --int8 --calibrate DATA.

        Example: dltrain --model resnet20 --data ../shared/datasets/cifar10 --epochs 30 --schedule onecycle --out resnet20.ckpt
        Models: \(ModelZoo.names.joined(separator: ", "))
        Generative models (docs/GAN.md): \(GenerativeZoo.names.joined(separator: ", ")). dcgan trains with Adam 2e-4, \
        beta1 0.5, batch 128; after each epoch it writes an 8x8 grid of samples beside --out (<out>-epoch-NNN.png), \
        the autoencoder 16 test images above their reconstructions; the log has d_loss, d_accuracy, g_loss (dcgan) \
        or train_mse, test_mse (autoencoder).
        Character language model: --model charlstm --data input.txt trains a 2-layer LSTM (512 units) on a UTF-8 text \
        file split 90/10, with truncated BPTT over 100-character chunks, gradient clipping at norm 5, Adam 2e-3 \
        annealed, batch 32; each epoch prints the validation loss in nats/char with perplexity and a sample \
        (--limit-train/--limit-test: characters).
        """)

    @Option(help: "Model-zoo name (see the list below).") var model: String?
    @Option(help: "Data directory (MNIST IDX, CIFAR-10 binary, or image folder with train/ and test/).") var data: String?
    @Option(help: "Epochs in total (a resumed run continues up to this).") var epochs: Int?
    @Option(help: "Mini-batch size.") var batchSize: Int?
    @Option(help: "Learning rate (the peak rate for onecycle).") var lr: Double?
    @Option(help: "sgd, adam or adamw.") var optimizer: OptimizerKind?
    @Option(help: "SGD momentum, or Adam's beta1.") var momentum: Double?
    @Option(help: "Weight decay (L2 for sgd/adam, decoupled for adamw).") var weightDecay: Double?
    @Option(help: "step, multistep, plateau, cosine, onecycle or constant.") var schedule: ScheduleKind?
    @Option(help: "Checkpoint written after every epoch (default: model.ckpt; with --qat FP32.ckpt, FP32-qat.ckpt).") var out: String?
    @Flag(help: "Continue the run in --out (with --qat and a checkpoint argument: fine-tune that checkpoint).") var resume = false
    @Flag(help: ArgumentHelp("Quantization-aware fine-tuning of a trained classifier with fake int8 quantization (docs/QAT.md): its model, data and recipe, \(Trainer.qatEpochs) epochs at \(Trainer.qatLearningRateFactor) x its learning rate, cosine, unless flags say otherwise. --qat --resume alone continues a QAT run in --out."))
    var qat = false
    @Argument(help: ArgumentHelp("With --qat: the fp32 checkpoint to fine-tune (never written to).", valueName: "FP32.ckpt"))
    var checkpoint: String?
    @Flag(help: "Start a new run even if --out exists.") var overwrite = false
    @Option(help: "Seed of the weights, the data order and augmentation.") var seed: UInt64?
    @Option(help: "Threads for kernels and data loading (default: every CPU).") var threads: Int?
    @Option(help: "Per-epoch log: JSON lines, or CSV if the name ends in .csv (--resume keeps writing the run's own).") var log: String?
    @Option(name: .customLong("init"), help: "Initial weights from this checkpoint (transfer learning).") var initFrom: String?
    @Option(help: "Freeze parameters whose dotted names match this glob (repeatable).") var freeze: [String] = []
    @Option(help: "With --init: a new classifier head for N classes.") var resetHead: Int?
    @Option(help: "Train on N examples (an evenly spaced subset).") var limitTrain: Int?
    @Option(help: "Evaluate on N test examples.") var limitTest: Int?
    @Option(help: "End after epoch N as if interrupted (continue with --resume).") var stopAfter: Int?
    @Option(help: "charlstm: LSTM units per layer (default 512).") var hiddenSize: Int?
    @Option(help: "dcgan: base width w of both networks (default 64; the generator's layers have 2w and w channels, the discriminator's w and 2w).") var width: Int?
    @Option(name: .customLong("ema"), help: ArgumentHelp("dcgan: also keep an exponential moving average of the generator with this decay (e.g. 0.999); samples and the exported generator use it.", valueName: "DECAY"))
    var averageDecay: Double?
    @Flag(help: "dcgan: an AC-GAN, the generator conditioned on the class (the latent's last K values a one-hot class code) and the discriminator given a K-class head (Odena et al. 2017).")
    var conditional = false
    @Option(help: "Classifiers: label smoothing of the training loss (e.g. 0.1; default 0).") var labelSmoothing: Double?
    @Option(help: "Classifiers: cutout, a square of this side zeroed at a random place in each training image (e.g. 8 for 32x32; default 0).") var cutout: Int?
    @Option(help: "Progress output on stderr: auto, bar, lines or none.") var progress: TrainingConsole.ProgressStyle = .auto

    func run() throws {
        var options = TrainingOptions()
        options.model = model
        options.data = data
        options.epochs = epochs
        options.batchSize = batchSize
        options.learningRate = lr
        options.optimizer = optimizer
        options.momentum = momentum
        options.weightDecay = weightDecay
        options.schedule = schedule
        options.out = out ?? checkpoint.map(Trainer.defaultQATOutput(for:)) ?? "model.ckpt"
        // `dltrain --qat --resume FP32.ckpt` (issue #5's form): --resume reads as "from this checkpoint".
        options.resume = resume && checkpoint == nil
        options.qat = qat
        options.qatFrom = checkpoint
        options.overwrite = overwrite
        options.seed = seed
        options.threads = threads
        options.log = log
        options.initFrom = initFrom
        options.freeze = freeze
        options.resetHead = resetHead
        options.limitTrain = limitTrain
        options.limitTest = limitTest
        options.stopAfter = stopAfter
        options.hiddenSize = hiddenSize
        options.averageDecay = averageDecay
        options.conditional = conditional
        options.width = width
        options.labelSmoothing = labelSmoothing
        options.cutout = cutout
        options.commandLine = CommandLine.arguments

        let console = TrainingConsole(style: progress)
        if LanguageModelTrainer.handles(options) {
            try runLanguageModel(options, console: console)
            return
        }
        if GenerativeTrainer.entry(for: options) != nil {
            try runGenerative(options, console: console)
            return
        }
        try reportingErrors(console) {
            let loadStart = monotonicSeconds()
            let trainer = try Trainer(options, console: console)
            let s = trainer.settings
            console.result("dltrain: \(s.model) (\(trainer.model.parameterCount) parameters, \(trainer.data.classes.count) classes, input \(trainer.data.train.sampleShape))")
            console.result("data: \(trainer.data.kind.rawValue) '\(s.data)': \(trainer.data.train.count) train, \(trainer.data.test.count) test (loaded in \(formatted("%.1f", monotonicSeconds() - loadStart)) s)")
            console.result("recipe: \(s.optimizer.rawValue) lr \(s.learningRate) momentum \(s.momentum) weight decay \(s.weightDecay), batch \(s.batchSize), \(s.epochs) epochs, schedule \(trainer.scheduleDescription)\(s.regularisationDescription), seed \(s.seed), \(trainer.threads) threads")
            for note in trainer.notes { console.result(note) }
            if alreadyDone(trainer.epoch, of: s.epochs, in: options.out, console: console) { return }
            let summary = try trainer.run()
            var line = "done: \(summary.epochsRun) epochs in \(formatted("%.1f", summary.seconds)) s"
            if let best = summary.best, let accuracy = best.testAccuracy {
                line += formatted(", best test accuracy %.2f%% (epoch %d)", accuracy * 100, best.epoch + 1)
            }
            if let final = summary.final, let accuracy = final.testAccuracy {
                line += formatted(", final %.2f%%", accuracy * 100)
            }
            console.result(line + "; checkpoint '\(options.out)'")
        }
    }
}

extension DLTrain {
    /// `dltrain --model dcgan|autoencoder`: the same flags, a `GenerativeTrainer`.
    func runGenerative(_ options: TrainingOptions, console: TrainingConsole) throws {
        try reportingErrors(console) {
            let loadStart = monotonicSeconds()
            let trainer = try GenerativeTrainer(options, console: console)
            let s = trainer.settings
            let trainable = trainer.model.trainableParameters().reduce(0) { $0 + $1.count }
            let average = trainer.architecture.averageDecay.map { ", and an average of the generator with decay \($0)" } ?? ""
            let built = (trainer.model as? DCGAN<Float>)?.summary ?? trainer.entry.summary
            console.result("dltrain: \(s.model) (\(trainable) trained parameters: \(built)\(average))")
            console.result("data: \(trainer.data.kind.rawValue) '\(s.data)': \(trainer.data.train.count) train, \(trainer.data.test.count) test, pixels to \(trainer.entry.pixelRange) (loaded in \(formatted("%.1f", monotonicSeconds() - loadStart)) s)")
            console.result("recipe: \(s.optimizer.rawValue) lr \(s.learningRate) momentum \(s.momentum) weight decay \(s.weightDecay), batch \(s.batchSize), \(s.epochs) epochs, seed \(s.seed), \(trainer.threads) threads")
            for note in trainer.notes { console.result(note) }
            if alreadyDone(trainer.epoch, of: s.epochs, in: options.out, console: console) { return }
            let summary = try trainer.run()
            console.result("done: \(summary.epochsRun) epochs in \(formatted("%.1f", summary.seconds)) s; checkpoint '\(options.out)'")
        }
    }
}

extension DLTrain {
    /// `dltrain --model charlstm`: the same flags, a `LanguageModelTrainer`.
    func runLanguageModel(_ options: TrainingOptions, console: TrainingConsole) throws {
        try reportingErrors(console) {
            let trainer = try LanguageModelTrainer(options, console: console)
            let (s, r) = (trainer.settings, trainer.recipe)
            console.result("dltrain: \(s.model) (\(trainer.model.parameterCount) parameters: \(r.layerCount)-layer LSTM of \(r.hiddenSize), embedding \(r.embeddingSize), dropout \(r.dropout))")
            console.result("data: '\(s.data)': \(trainer.corpus.vocabulary.count) distinct characters, \(trainer.corpus.train.count) train, \(trainer.corpus.validation.count) validation (90/10); \(trainer.trainStreams.chunkCount) chunks of \(s.batchSize) x \(r.sequenceLength) per epoch")
            console.result("recipe: \(s.optimizer.rawValue) lr \(s.learningRate) momentum \(s.momentum) weight decay \(s.weightDecay), batch \(s.batchSize), \(s.epochs) epochs, schedule \(s.schedule.rawValue), clip norm \(LanguageModelTrainer.clipNorm), seed \(s.seed), \(trainer.threads) threads")
            for note in trainer.notes { console.result(note) }
            if alreadyDone(trainer.epoch, of: s.epochs, in: options.out, console: console) { return }
            let summary = try trainer.run()
            let best = trainer.metrics.compactMap(\.testLoss).min() ?? .nan
            console.result("done: \(summary.epochsRun) epochs in \(formatted("%.1f", summary.seconds)) s, best validation \(formatted("%.4f", best)) nats/char; checkpoint '\(options.out)'")
        }
    }
}

extension DLTrain {
    /// Runs `body`; a `TrainingError` becomes its message on stderr and the exit status.
    func reportingErrors(_ console: TrainingConsole, _ body: () throws -> Void) throws {
        do {
            try body()
        } catch let error as TrainingError {
            console.note("dltrain: error: \(error)")
            throw ExitCode(error.exitCode)
        }
    }

    /// Whether --out already holds every epoch asked for (said on the console).
    func alreadyDone(_ epoch: Int, of epochs: Int, in path: String, console: TrainingConsole) -> Bool {
        guard epoch >= epochs else { return false }
        console.result("'\(path)' already holds \(epoch) of \(epochs) epochs: nothing to do (pass a larger --epochs to continue)")
        return true
    }
}

extension TrainingError {
    /// 2 for what the user can fix on the command line, 1 for everything else.
    var exitCode: Int32 {
        switch self {
        case .invalidOption, .model: return 2
        default: return 1
        }
    }
}
