#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// `dltrain --qat --resume FP32.ckpt`: quantization-aware fine-tuning of a
/// trained classifier (docs/QAT.md). A new run, written to its own
/// checkpoint, that starts from the fp32 weights and takes the fp32 run's
/// model, data and recipe, except for what a fine-tuning needs changed:
/// `qatEpochs` epochs at `qatLearningRateFactor` times the recipe's rate,
/// cosine-annealed, unless flags say otherwise.
extension Trainer {
    public static let qatEpochs = 2
    /// Fine-tuning moves the weights only across a few int8 steps.
    public static let qatLearningRateFactor = 0.01

    /// Where `dltrain --qat --resume FP32.ckpt` writes without --out: `FP32-qat.ckpt` next to it.
    public static func defaultQATOutput(for fp32: String) -> String {
        (fp32.hasSuffix(".ckpt") ? String(fp32.dropLast(5)) : fp32) + "-qat.ckpt"
    }

    /// For a --qat run from `qatFrom`: the fp32 checkpoint and the options
    /// the run trains with (its recipe under the flags given); nil otherwise.
    static func quantizationAwareStart(_ options: TrainingOptions) throws -> (checkpoint: Checkpoint, options: TrainingOptions)? {
        guard options.qat, let path = options.qatFrom else { return nil }
        guard FileIO.exists(path) else {
            throw TrainingError.invalidOption("--qat: there is no checkpoint at '\(path)' to fine-tune")
        }
        let fp32 = try readCheckpoint(path, purpose: "fine-tune (--qat)")
        guard let stored = TrainingSettings.parseRecipe(fp32.recipe) else {
            throw TrainingError.checkpoint("cannot fine-tune (--qat) '\(path)': its recipe holds no dltrain settings (not written by dltrain)")
        }
        guard (stored["qat_from"] ?? "").isEmpty else {
            throw TrainingError.invalidOption("'\(path)' is already quantization-aware; continue it with dltrain --resume --out \(path)")
        }
        if sameFile(options.out, path) {
            throw TrainingError.invalidOption("--out '\(options.out)' is the fp32 checkpoint itself; the fine-tuned model needs its own file (without --out: '\(defaultQATOutput(for: path))')")
        }
        if FileIO.exists(options.out) && !options.overwrite {
            throw TrainingError.output("--out '\(options.out)' already exists; continue that run with dltrain --resume --out \(options.out), or pass --overwrite to start the fine-tuning again")
        }
        var recorded = TrainingOptions()
        recorded.out = options.out
        let fp32Settings = try TrainingSettings.resolve(recorded, stored: stored)
        if let model = options.model, model != fp32Settings.model {
            throw TrainingError.invalidOption("--model \(model), but '\(path)' holds a \(fp32Settings.model)")
        }
        var o = options
        o.model = fp32Settings.model
        o.data = o.data ?? fp32Settings.data
        o.batchSize = o.batchSize ?? fp32Settings.batchSize
        o.optimizer = o.optimizer ?? fp32Settings.optimizer
        o.momentum = o.momentum ?? fp32Settings.momentum
        o.weightDecay = o.weightDecay ?? fp32Settings.weightDecay
        o.seed = o.seed ?? fp32Settings.seed
        o.limitTrain = o.limitTrain ?? fp32Settings.limitTrain
        o.limitTest = o.limitTest ?? fp32Settings.limitTest
        o.labelSmoothing = o.labelSmoothing ?? fp32Settings.labelSmoothing
        o.cutout = o.cutout ?? fp32Settings.cutout
        o.learningRate = o.learningRate ?? fp32Settings.learningRate * qatLearningRateFactor
        o.epochs = o.epochs ?? qatEpochs
        o.schedule = o.schedule ?? .cosine
        return (fp32, o)
    }

    /// `--qat --resume` without a checkpoint argument continues the QAT run in --out, so that must be one.
    static func checkQuantizationAwareResume(_ options: TrainingOptions, stored: [String: String]?) throws {
        guard options.qat, options.qatFrom == nil, let stored, (stored["qat_from"] ?? "").isEmpty else { return }
        throw TrainingError.invalidOption("'\(options.out)' is not a quantization-aware run; to fine-tune it with fake quantization: dltrain --qat --resume \(options.out) --out \(defaultQATOutput(for: options.out))")
    }

    /// Whether `a` and `b` name the same existing file (through links and `..`).
    static func sameFile(_ a: String, _ b: String) -> Bool {
        func canonical(_ path: String) -> String? {
            guard let resolved = realpath(path, nil) else { return nil }
            defer { free(resolved) }
            return String(cString: resolved)
        }
        guard let x = canonical(a), let y = canonical(b) else { return false }
        return x == y
    }
}
