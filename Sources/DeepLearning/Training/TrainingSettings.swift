/// The optimizers `dltrain --optimizer` offers.
public enum OptimizerKind: String, CaseIterable, Sendable {
    case sgd, adam, adamw
}

/// The learning-rate schedules `dltrain --schedule` offers. `step`,
/// `multistep`, `cosine` and `plateau` step once per epoch (`plateau` on the
/// test loss), `onecycle` once per batch; `constant` keeps the rate.
public enum ScheduleKind: String, CaseIterable, Sendable {
    case step, multistep, plateau, cosine, onecycle, constant
}

/// What the user asked for: every field nil (or empty) means "the recipe
/// default" (or, with --resume, "what the checkpoint was trained with").
public struct TrainingOptions: Sendable, Equatable {
    public var model: String?
    public var data: String?
    public var epochs: Int?
    public var batchSize: Int?
    public var learningRate: Double?
    public var optimizer: OptimizerKind?
    /// SGD momentum, or Adam's β1.
    public var momentum: Double?
    public var weightDecay: Double?
    public var schedule: ScheduleKind?
    public var seed: UInt64?
    /// Threads for the kernels and the data loader (default: every online CPU).
    public var threads: Int?
    /// The checkpoint written after every epoch (and read by `resume`).
    public var out: String = "model.ckpt"
    /// Continue the run in `out`.
    public var resume = false
    /// Start a new run even though `out` exists (it is replaced after the first epoch).
    public var overwrite = false
    /// Per-epoch metrics: JSON lines, or CSV when the path ends in `.csv`.
    public var log: String?
    /// Transfer learning: initial weights from this checkpoint.
    public var initFrom: String?
    /// Freeze the parameters whose dotted names match any of these (`NamePattern`).
    public var freeze: [String] = []
    /// With `initFrom`: a fresh classifier head for this many classes.
    public var resetHead: Int?
    /// Use this many training / test examples (an evenly spaced subset).
    public var limitTrain: Int?
    public var limitTest: Int?
    /// End this invocation after this epoch (counted from 1) as if interrupted; `resume` continues the same run.
    public var stopAfter: Int?
    /// charlstm only: LSTM units per layer (default `CharLSTMRecipe.standard`'s).
    public var hiddenSize: Int?
    /// dcgan only: the networks' base width w (G 2w -> w channels, D w -> 2w; default `DCGAN.defaultWidth`).
    public var width: Int?
    /// dcgan only: keep an exponential moving average of the generator with this decay (`DCGAN.averaged`).
    public var averageDecay: Double?
    /// dcgan only: train an AC-GAN, the generator conditioned on the data set's classes (`DCGAN.classes`).
    public var conditional = false
    /// Classifiers only: the training loss's label smoothing ε (`crossEntropy(logits:labels:labelSmoothing:)`).
    public var labelSmoothing: Double?
    /// Classifiers only: the side of the cutout square in training images (`ImageTransform.cutout`).
    public var cutout: Int?
    /// The command line, recorded in the checkpoint's recipe.
    public var commandLine: [String] = []
    /// Quantization-aware fine-tuning (docs/QAT.md): with `qatFrom`, a new
    /// run from that fp32 checkpoint; with `resume`, the QAT run in `out`.
    public var qat = false
    /// The fp32 checkpoint `qat` fine-tunes (its model, data and recipe).
    public var qatFrom: String?

    public init() {}
}

/// The hyperparameters a model trains with when no flag says otherwise.
public struct Recipe: Sendable, Equatable {
    public var optimizer: OptimizerKind
    public var learningRate: Double
    public var momentum: Double
    public var weightDecay: Double
    public var schedule: ScheduleKind
    public var batchSize: Int
    public var epochs: Int

    /// Per model: MLP and LeNet-5 train with Adam 1e-3 (β1 0.9), batch 64,
    /// cosine decay; the CIFAR ResNets with SGD 0.1, momentum 0.9, weight
    /// decay 5e-4, batch 128 and a one-cycle schedule peaking at 0.1; every
    /// other model with SGD 0.05, momentum 0.9, weight decay 5e-4, cosine.
    public static func defaults(for model: String) -> Recipe {
        switch model {
        case "dcgan": // Radford et al.: Adam 2e-4, beta1 0.5, batch 128
            return Recipe(optimizer: .adam, learningRate: 2e-4, momentum: 0.5, weightDecay: 0, schedule: .constant,
                          batchSize: 128, epochs: 5)
        case "autoencoder":
            return Recipe(optimizer: .adam, learningRate: 1e-3, momentum: 0.9, weightDecay: 0, schedule: .constant,
                          batchSize: 128, epochs: 5)
        case CharLSTMRecipe.modelName: // char-rnn: Adam 2e-3, annealed; batch 32 x 100-character chunks
            return Recipe(optimizer: .adam, learningRate: 2e-3, momentum: 0.9, weightDecay: 0, schedule: .cosine,
                          batchSize: 32, epochs: 12)
        case "mlp", "lenet5":
            return Recipe(optimizer: .adam, learningRate: 1e-3, momentum: 0.9, weightDecay: 0, schedule: .cosine,
                          batchSize: 64, epochs: 10)
        case let name where name.hasPrefix("resnet") && (name.hasSuffix("-cifar") || name.hasSuffix("-b")
                                                        || ["resnet20", "resnet32", "resnet44", "resnet56", "resnet110"].contains(name)):
            return Recipe(optimizer: .sgd, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4, schedule: .onecycle,
                          batchSize: 128, epochs: 30)
        default:
            return Recipe(optimizer: .sgd, learningRate: 0.05, momentum: 0.9, weightDecay: 5e-4, schedule: .cosine,
                          batchSize: 128, epochs: 30)
        }
    }
}

/// The complete, validated settings of a run: recorded in the checkpoint's
/// recipe (one `key=value` per line after the command line) so that
/// `--resume` continues with exactly these.
public struct TrainingSettings: Sendable, Equatable {
    public var model: String
    public var data: String
    public var epochs: Int
    public var batchSize: Int
    public var learningRate: Double
    public var optimizer: OptimizerKind
    public var momentum: Double
    public var weightDecay: Double
    public var schedule: ScheduleKind
    public var seed: UInt64
    public var freeze: [String]
    public var initFrom: String?
    public var resetHead: Int?
    public var limitTrain: Int?
    public var limitTest: Int?
    /// A quantization-aware run: the fp32 checkpoint it fine-tunes (recipe key
    /// `qat_from`, written only for such runs). Its layers fake-quantize.
    public var qatFrom: String?
    /// The training loss's label smoothing ε (0: none). The test loss is always plain cross-entropy.
    public var labelSmoothing: Double = 0
    /// The side of the cutout square in training images (0: none).
    public var cutout: Int = 0
    /// The per-epoch log (recipe key `log`, written only when there is one), so that
    /// `--resume` keeps writing it without `--log`; `--log` on resume moves it.
    public var log: String?
    /// The command line that started the run, shell-quoted: the recipe's first line.
    /// A resume keeps the first run's, so that the recipe says how the weights were made.
    public var command = "dltrain"

    /// The settings that decide the weights a run produces: a resume may not change them.
    static let fixedOnResume: Set<String> = ["model", "batch_size", "optimizer", "schedule", "seed", "freeze", "init",
                                             "reset_head", "limit_train", "limit_test", "lr", "momentum", "weight_decay",
                                             "label_smoothing", "cutout"]
    /// What a recipe key that older checkpoints lack meant.
    static let absentMeaning: [String: String] = ["label_smoothing": String(0.0), "cutout": "0"]

    /// `options` over `stored` (a resumed run's settings, by recipe key) over the model's recipe.
    /// `fallbackModel`: the model of an --init checkpoint, used when --model is absent.
    public static func resolve(_ options: TrainingOptions, stored: [String: String]? = nil,
                               fallbackModel: String? = nil) throws -> TrainingSettings {
        if let stored {
            // A resume continues the stored run; a flag that would change its weights is refused.
            let given = options.recipeEntries
            for key in fixedOnResume.sorted() {
                if let value = given[key], let old = stored[key] ?? absentMeaning[key], value != old {
                    throw TrainingError.invalidOption(
                        "--\(flagName(key)) \(value) conflicts with the checkpoint being resumed, which was trained with \(old)")
                }
            }
        }
        let s = stored ?? [:]
        func storedValue<T>(_ key: String, _ parse: (String) -> T?) throws -> T? {
            guard let text = s[key] else { return nil }
            guard let value = parse(text) else {
                throw TrainingError.checkpoint("the checkpoint's recipe has an unreadable \(key)=\(text)")
            }
            return value
        }
        /// An optional count: absent or empty means none.
        func storedCount(_ key: String) throws -> Int? {
            guard let text = s[key], !text.isEmpty else { return nil }
            guard let value = Int(text) else { throw TrainingError.checkpoint("the checkpoint's recipe has an unreadable \(key)=\(text)") }
            return value
        }
        try checkQuantizationAware(options, model: options.model ?? s["model"] ?? fallbackModel)
        guard let model = options.model ?? s["model"] ?? fallbackModel else {
            throw TrainingError.invalidOption("--model is required (known models: \(ModelZoo.names.joined(separator: ", ")))")
        }
        guard let data = options.data ?? s["data"] else {
            throw TrainingError.invalidOption("--data is required (a directory of MNIST IDX files, CIFAR-10 batches, or train/ and test/ image folders)")
        }
        let recipe = Recipe.defaults(for: model)
        let optimizer = try options.optimizer ?? storedValue("optimizer", OptimizerKind.init(rawValue:)) ?? recipe.optimizer
        let sameOptimizerFamily = optimizer == recipe.optimizer || (optimizer != .sgd && recipe.optimizer != .sgd)
        var settings = TrainingSettings(
            model: model, data: data,
            epochs: try options.epochs ?? storedValue("epochs", { Int($0) }) ?? recipe.epochs,
            batchSize: try options.batchSize ?? storedValue("batch_size", { Int($0) }) ?? recipe.batchSize,
            // Another optimizer family than the recipe's gets that family's usual rate.
            learningRate: try options.learningRate ?? storedValue("lr", { Double($0) })
                ?? (sameOptimizerFamily ? recipe.learningRate : (optimizer == .sgd ? 0.1 : 1e-3)),
            optimizer: optimizer,
            momentum: try options.momentum ?? storedValue("momentum", { Double($0) }) ?? (sameOptimizerFamily ? recipe.momentum : 0.9),
            weightDecay: try options.weightDecay ?? storedValue("weight_decay", { Double($0) })
                ?? (sameOptimizerFamily ? recipe.weightDecay : (optimizer == .sgd ? 5e-4 : 0)),
            schedule: try options.schedule ?? storedValue("schedule", ScheduleKind.init(rawValue:)) ?? recipe.schedule,
            seed: try options.seed ?? storedValue("seed", { UInt64($0) }) ?? 0,
            freeze: options.freeze.isEmpty ? (s["freeze"].map { $0.isEmpty ? [] : $0.split(separator: ",").map(String.init) } ?? []) : options.freeze,
            initFrom: options.initFrom ?? s["init"].flatMap { $0.isEmpty ? nil : $0 },
            resetHead: try options.resetHead ?? storedCount("reset_head"),
            limitTrain: try options.limitTrain ?? storedCount("limit_train"),
            limitTest: try options.limitTest ?? storedCount("limit_test"))
        settings.qatFrom = options.qatFrom ?? s["qat_from"].flatMap { $0.isEmpty ? nil : $0 }
        settings.labelSmoothing = try options.labelSmoothing ?? storedValue("label_smoothing", { Double($0) }) ?? 0
        settings.cutout = try options.cutout ?? storedValue("cutout", { Int($0) }) ?? 0
        settings.log = options.log ?? s["log"].flatMap { $0.isEmpty ? nil : $0 }
        if let stored = s[commandKey] {
            settings.command = stored
        } else if !options.commandLine.isEmpty {
            settings.command = options.commandLine.map(shellQuoted).joined(separator: " ")
        }
        if optimizer == .adamw && options.weightDecay == nil && s["weight_decay"] == nil && settings.weightDecay == 0 {
            settings.weightDecay = 1e-2 // AdamW's usual decoupled decay
        }
        try settings.validate(options: options)
        return settings
    }

    /// Whether `model` is trained by `Trainer` (the image classifiers), not by the generative or language-model trainers.
    static func isClassifier(_ model: String) -> Bool {
        GenerativeZoo.entry(model) == nil && model != CharLSTMRecipe.modelName
    }

    /// The --qat combinations that make no sense; `model` when known.
    static func checkQuantizationAware(_ options: TrainingOptions, model: String?) throws {
        if options.qat {
            if let model, !isClassifier(model) {
                throw TrainingError.invalidOption("--qat is for classifiers (their conv and linear layers are what dlexport --int8 quantizes); \(model) is not one")
            }
            guard options.qatFrom != nil || options.resume else {
                throw TrainingError.invalidOption("--qat fine-tunes a trained fp32 checkpoint: dltrain --qat --resume FP32.ckpt [--epochs N] [--out QAT.ckpt]")
            }
            if options.initFrom != nil {
                throw TrainingError.invalidOption("--init cannot be combined with --qat (the fp32 checkpoint holds the weights)")
            }
        } else if let path = options.qatFrom {
            throw TrainingError.invalidOption("a checkpoint argument ('\(path)') is for --qat: dltrain --qat --resume \(path)")
        }
    }

    func validate(options: TrainingOptions) throws {
        func bad(_ message: String) -> TrainingError { .invalidOption(message) }
        guard epochs >= 1 else { throw bad("--epochs \(epochs) must be at least 1") }
        guard batchSize >= 1 else { throw bad("--batch-size \(batchSize) must be at least 1") }
        guard learningRate.isFinite && learningRate > 0 else { throw bad("--lr \(learningRate) must be a positive number") }
        guard weightDecay.isFinite && weightDecay >= 0 else { throw bad("--weight-decay \(weightDecay) must be >= 0") }
        switch optimizer {
        case .sgd:
            guard momentum.isFinite && momentum >= 0 else { throw bad("--momentum \(momentum) must be >= 0 for SGD") }
        case .adam, .adamw:
            guard momentum >= 0 && momentum < 1 else { throw bad("--momentum \(momentum) (Adam's beta1) must be in [0, 1)") }
        }
        if let threads = options.threads, threads < 1 { throw bad("--threads \(threads) must be at least 1") }
        if let n = limitTrain, n < 1 { throw bad("--limit-train \(n) must be at least 1") }
        if let n = limitTest, n < 1 { throw bad("--limit-test \(n) must be at least 1") }
        if let n = options.stopAfter, n < 1 { throw bad("--stop-after \(n) must be at least 1") }
        if let n = resetHead {
            guard n >= 1 else { throw bad("--reset-head \(n) must be at least 1") }
            guard initFrom != nil else { throw bad("--reset-head needs --init (the checkpoint whose head it replaces)") }
        }
        if freeze.contains(where: { $0.isEmpty || $0.contains(",") }) {
            throw bad("--freeze patterns must be non-empty and contain no commas")
        }
        if options.resume && options.initFrom != nil && options.initFrom != initFrom {
            throw bad("--init cannot be combined with --resume (the resumed checkpoint holds the weights)")
        }
        guard !options.out.isEmpty else { throw bad("--out must name a file") }
        if options.hiddenSize != nil && model != CharLSTMRecipe.modelName {
            throw bad("--hidden-size is for \(CharLSTMRecipe.modelName); \(model)'s size is fixed by its name")
        }
        if let width = options.width {
            guard model == "dcgan" else { throw bad("--width is for dcgan; \(model)'s size is fixed by its name") }
            guard width >= 1 else { throw bad("--width \(width) must be at least 1") }
        }
        guard labelSmoothing.isFinite && labelSmoothing >= 0 && labelSmoothing < 1 else {
            throw bad("--label-smoothing \(labelSmoothing) must be in [0, 1)")
        }
        guard cutout >= 0 else { throw bad("--cutout \(cutout) must be >= 0 (0: off)") }
        if !Self.isClassifier(model) {
            if options.labelSmoothing != nil { throw bad("--label-smoothing is for classifiers; \(model) is not one") }
            if options.cutout != nil { throw bad("--cutout is for classifiers; \(model) is not one") }
        }
        if let decay = options.averageDecay {
            guard model == "dcgan" else { throw bad("--ema is for dcgan (an average of its generator); \(model) has none") }
            guard decay > 0 && decay < 1 else { throw bad("--ema \(decay) must be between 0 and 1 (for example 0.999)") }
        }
        if options.conditional && model != "dcgan" {
            throw bad("--conditional is for dcgan (a generator conditioned on the class); \(model) has no generator")
        }
    }

    /// ", label smoothing ε, cutout n" for the ones in use, for the run's header.
    public var regularisationDescription: String {
        (labelSmoothing > 0 ? ", label smoothing \(labelSmoothing)" : "") + (cutout > 0 ? ", cutout \(cutout)" : "")
    }

    /// The settings as recipe entries (strings, as written into the checkpoint; the command under `commandKey`).
    public var recipeEntries: [String: String] {
        var e: [String: String] = [
            Self.commandKey: command,
            "model": model, "data": data, "epochs": String(epochs), "batch_size": String(batchSize),
            "lr": String(learningRate), "optimizer": optimizer.rawValue, "momentum": String(momentum),
            "weight_decay": String(weightDecay), "schedule": schedule.rawValue, "seed": String(seed),
            "freeze": freeze.joined(separator: ","),
        ]
        e["init"] = initFrom ?? ""
        e["reset_head"] = resetHead.map(String.init) ?? ""
        e["limit_train"] = limitTrain.map(String.init) ?? ""
        e["limit_test"] = limitTest.map(String.init) ?? ""
        if let qatFrom { e["qat_from"] = qatFrom }
        e["label_smoothing"] = String(labelSmoothing)
        e["cutout"] = String(cutout)
        if let log { e["log"] = log }
        return e
    }

    /// The checkpoint's recipe text: the command, then `key=value` per setting (sorted).
    public func recipeText(threads: Int) -> String {
        var lines = [command]
        for (key, value) in recipeEntries.sorted(by: { $0.key < $1.key }) where key != Self.commandKey {
            lines.append("\(key)=\(value.replacingNewlines)")
        }
        lines.append("threads=\(threads)")
        return lines.joined(separator: "\n")
    }

    /// The recipe entry that holds its first line, the command (no `key=value` line has this key).
    public static let commandKey = "command"

    /// The `key=value` lines of a recipe written by `recipeText`, and its first line under `commandKey`.
    public static func parseRecipe(_ text: String) -> [String: String]? {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.count > 1 else { return nil }
        var entries = [commandKey: String(lines[0])]
        for line in lines.dropFirst() {
            guard let eq = line.firstIndex(of: "=") else { continue }
            entries[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return entries["model"] == nil ? nil : entries
    }

    static func flagName(_ key: String) -> String {
        switch key {
        case "lr": return "lr"
        case "init": return "init"
        default: return key.replacingUnderscores
        }
    }
}

extension TrainingOptions {
    /// The explicitly given options, under the recipe keys, formatted as `TrainingSettings.recipeEntries` formats them.
    var recipeEntries: [String: String] {
        var e: [String: String] = [:]
        e["model"] = model
        e["epochs"] = epochs.map(String.init)
        e["batch_size"] = batchSize.map(String.init)
        e["lr"] = learningRate.map { String($0) }
        e["optimizer"] = optimizer?.rawValue
        e["momentum"] = momentum.map { String($0) }
        e["weight_decay"] = weightDecay.map { String($0) }
        e["schedule"] = schedule?.rawValue
        e["seed"] = seed.map(String.init)
        if !freeze.isEmpty { e["freeze"] = freeze.joined(separator: ",") }
        e["init"] = initFrom
        e["reset_head"] = resetHead.map(String.init)
        e["limit_train"] = limitTrain.map(String.init)
        e["limit_test"] = limitTest.map(String.init)
        e["label_smoothing"] = labelSmoothing.map { String($0) }
        e["cutout"] = cutout.map(String.init)
        return e
    }
}

extension String {
    var replacingNewlines: String { String(map { $0 == "\n" || $0 == "\r" ? " " : $0 }) }
    var replacingUnderscores: String { String(map { $0 == "_" ? "-" : $0 }) }
}

/// `word` as a POSIX shell would need it to be one argument.
func shellQuoted(_ word: String) -> String {
    let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./=:,+@%")
    if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) { return word }
    return "'" + word.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
}
