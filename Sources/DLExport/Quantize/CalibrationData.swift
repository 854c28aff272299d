import DeepLearning
import DLSupport

/// The examples an int8 export works from: calibration inputs (drawn from
/// the TRAIN split, so that the test split stays held out) and labelled
/// evaluation inputs (the TEST split), each prepared by the model's input
/// contract exactly as a deployed program prepares an image.
public struct CalibrationData: Sendable {
    public struct Example: Sendable {
        public var input: [Float]
        /// The class, for a classifier; nil for a generator's latent.
        public var label: Int?
        public init(input: [Float], label: Int?) {
            self.input = input
            self.label = label
        }
    }

    public var calibration: [[Float]]
    public var evaluation: [Example]
    /// For the report: "mnist train (512 of 60000)".
    public var source: String

    public init(calibration: [[Float]], evaluation: [Example], source: String) {
        self.calibration = calibration
        self.evaluation = evaluation
        self.source = source
    }

    /// 512 training examples: TensorRT's guidance is about 500 images, and at
    /// 512 a 99.99th percentile rests on tens of thousands of values even for
    /// the smallest tensors (a 10-wide logit layer gets 5,120), while the five
    /// passes over them stay a few seconds for the zoo's CIFAR models.
    public static let defaultSampleCount = 512

    /// The seeds of a generator's calibration and evaluation latents: apart
    /// from the self-test's (0) and the quality gate's (1, docs/GAN.md).
    public static let latentCalibrationSeed: UInt64 = 2
    public static let latentEvaluationSeed: UInt64 = 3
    /// Held-out latents a generator's int8 output is measured on by default.
    public static let defaultLatentEvaluationCount = 256

    /// A generator's examples: `samples` latents of length `size` from its
    /// latent distribution, N(0, 1) drawn by `PortableNormal` as `dlsample`
    /// draws them, to calibrate on, and `evaluationSamples` more from another
    /// seed, unlabelled, to measure the output against fp32. A conditional
    /// generator's latents carry class codes, sample k class `k mod K`.
    public static func latents(size: Int, samples: Int, evaluationSamples: Int? = nil,
                               code: LatentClassCode? = nil) throws -> CalibrationData {
        guard samples >= 1 else { throw ExportError.invalidArgument("--samples must be at least 1, got \(samples)") }
        let evaluationCount = evaluationSamples ?? defaultLatentEvaluationCount
        guard evaluationCount >= 1 else {
            throw ExportError.invalidArgument("--eval-samples must be at least 1, got \(evaluationCount)")
        }
        let calibration = PortableNormal.latents(seed: latentCalibrationSeed, count: samples, size: size, code: code)
        let evaluation = PortableNormal.latents(seed: latentEvaluationSeed, count: evaluationCount, size: size, code: code)
        return CalibrationData(
            calibration: (0..<samples).map { Array(calibration[($0 * size)..<(($0 + 1) * size)]) },
            evaluation: (0..<evaluationCount).map { Example(input: Array(evaluation[($0 * size)..<(($0 + 1) * size)]), label: nil) },
            source: "N(0, 1) latents (seed \(latentCalibrationSeed))")
    }

    /// Loads `samples` examples of the training split of `path` (MNIST IDX,
    /// CIFAR-10 binary or folder, image folder: `TrainingData`'s loaders and
    /// detection), spread evenly over it, and `evaluationSamples` (nil: all)
    /// of its test split, normalised by `contract` for a model taking
    /// `inputShape` ([C, H, W]) with `classes` outputs. Refuses data whose
    /// images or classes do not fit the model, naming both.
    public static func load(_ path: String, contract: InputContract, inputShape: [Int], classes: Int, samples: Int,
                            evaluationSamples: Int? = nil) throws -> CalibrationData {
        guard samples >= 1 else { throw ExportError.invalidArgument("--samples must be at least 1, got \(samples)") }
        if let n = evaluationSamples, n < 1 {
            throw ExportError.invalidArgument("--eval-samples must be at least 1, got \(n)")
        }
        let data: TrainingData
        do {
            data = try TrainingData.load(path, inputShape: inputShape, limitTrain: samples, limitTest: evaluationSamples)
        } catch {
            throw ExportError.invalidArgument("--calibrate '\(path)': \(error)")
        }
        let shape = data.train.sampleShape
        let fits = shape == inputShape || (inputShape.count != 3 && shape.reduce(1, *) == inputShape.reduce(1, *))
        guard fits else {
            throw ExportError.shape("--calibrate '\(path)' holds \(data.kind.rawValue) images of shape \(shape), "
                                        + "but the model takes \(inputShape)")
        }
        guard data.classes.count == classes else {
            throw ExportError.shape("--calibrate '\(path)' has \(data.classes.count) classes, but the model has \(classes) outputs")
        }
        let calibration = (0..<data.train.count).map { contract.normalize(Array(data.train.imageBytes($0))) }
        let evaluation = (0..<data.test.count).map {
            Example(input: contract.normalize(Array(data.test.imageBytes($0))), label: data.test.labels[$0])
        }
        guard !calibration.isEmpty else { throw ExportError.invalidArgument("--calibrate '\(path)': the training split is empty") }
        return CalibrationData(calibration: calibration, evaluation: evaluation,
                               source: "\(contract.dataset) train split (\(calibration.count) examples)")
    }
}
