import DeepLearning

/// The examples an int8 export works from: calibration inputs (drawn from
/// the TRAIN split, so that the test split stays held out) and labelled
/// evaluation inputs (the TEST split), each prepared by the model's input
/// contract exactly as a deployed program prepares an image.
public struct CalibrationData: Sendable {
    public struct Example: Sendable {
        public var input: [Float]
        public var label: Int
        public init(input: [Float], label: Int) {
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
