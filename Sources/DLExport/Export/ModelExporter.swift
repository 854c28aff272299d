import DeepLearning
import DLRuntime

/// What `ModelExporter.export` may take from elsewhere than the checkpoint.
public struct ExportOptions: Sendable {
    /// Class names replacing the checkpoint's (`dlexport --labels FILE`).
    public var labels: [String]?
    /// An image file to take the self-test input from instead of the
    /// checkpoint's sample, prepared by the input contract (`--sample IMAGE`).
    public var sampleImage: String?
    /// The largest ∞-norm relative difference (`Parity.relativeError`)
    /// allowed between the runtime's output and the engine's on the self-test
    /// input; also the self-test vector's tolerance.
    public var tolerance: Double = 1e-4
    /// `model.producer`.
    public var producer = "dlexport \(ModelExporter.version)"
    /// Character models only: store the recurrent weights in int8
    /// (per-row scales, dequantized by the runtime at load; `dlexport --int8`).
    public var int8RecurrentWeights = false

    public init(labels: [String]? = nil, sampleImage: String? = nil) {
        self.labels = labels
        self.sampleImage = sampleImage
    }
}

/// Exports a model-zoo checkpoint (`model.ckpt`, written by dltrain) as a
/// runtime model (`.dlrt`): the model rebuilt from its architecture and
/// weights, lowered with batch norms folded and activations fused
/// (`LoweredModel`), the input contract, labels and training record as
/// metadata (docs/FORMAT.md), and a self-test vector made from a real
/// example. Before anything is returned the file is loaded by the C
/// runtime, run on that example and compared with the engine's evaluation
/// output; a difference over `tolerance` is an error, not a warning.
///
/// ```swift
/// let checkpoint = try Checkpoint.read(from: "resnet20.ckpt")
/// let exported = try ModelExporter.export(checkpoint)
/// exported.file.metadata                   // labels, input.*, training.*
/// try exported.write(to: "resnet20.dlrt")  // atomic
/// ```
public enum ModelExporter {
    /// The project's version, which the C runtime's `dlrt_version_string` holds.
    public static let version = Runtime.version

    /// Reads `checkpointPath`, exports it and writes `outputPath`
    /// atomically. Nothing is written unless every step succeeded.
    @discardableResult
    public static func export(checkpointAt checkpointPath: String, to outputPath: String,
                              options: ExportOptions = ExportOptions()) throws -> ExportedModel {
        let checkpoint: Checkpoint
        do {
            checkpoint = try Checkpoint.read(from: checkpointPath)
        } catch {
            throw ExportError.checkpoint("cannot read the checkpoint '\(checkpointPath)': \(error)")
        }
        let exported = try export(checkpoint, options: options)
        try exported.write(to: outputPath)
        return exported
    }

    /// The runtime model of `checkpoint`, verified in the C runtime.
    public static func export(_ checkpoint: Checkpoint, options: ExportOptions = ExportOptions()) throws -> ExportedModel {
        if GeneratorExporter.exports(checkpoint) {
            return try GeneratorExporter.export(checkpoint, options: options)
        }
        if checkpoint.architecture.name == CharLSTMRecipe.modelName {
            return try LanguageModelExporter.export(checkpoint, options: options)
        }
        let (model, inputShape) = try rebuild(checkpoint)
        let contract = try inputContract(of: checkpoint, inputShape: inputShape)
        let (input, source) = try selfTestInput(checkpoint, options: options, contract: contract, inputShape: inputShape)
        var lowered = try LoweredModel(model, inputShape: inputShape)
        let classes = try lowered.builder.shape(of: lowered.output).last ?? 0
        let labels = try self.labels(checkpoint, options: options, classes: classes)
        let expected = Parity.engineOutput(of: model, input: input, shape: [1] + inputShape)

        let record = ExportRecord(checkpoint: checkpoint, contract: contract, labels: labels, selfTestSource: source,
                                  producer: options.producer)
        for entry in record.metadata { lowered.builder.setMetadata(entry.value, for: entry.key) }
        let scale = Double(expected.map { abs($0) }.max() ?? 0)
        try lowered.builder.selfTest(inputs: [(lowered.input, input)], outputs: [(lowered.output, expected)],
                                     rtol: Float(options.tolerance), atol: Float(options.tolerance * scale))
        let bytes = try lowered.builder.serialize()
        let parityError = try verify(bytes, input: input, expected: expected, tolerance: options.tolerance)
        return ExportedModel(file: lowered.builder.modelFile, bytes: bytes, summary: ExportSummary(
            architecture: checkpoint.architecture.name, dataset: contract.dataset, inputShape: inputShape,
            classes: classes, nodes: lowered.builder.nodes.count, foldedBatchNorms: lowered.foldedBatchNorms,
            fusedActivations: lowered.fusedActivations,
            parameters: lowered.builder.tensors.filter(\.isConstant).reduce(0) { $0 + $1.elementCount },
            testAccuracy: record.testAccuracy, parityError: parityError, selfTestSource: source))
    }

    // MARK: - the steps

    /// The zoo model of the checkpoint's architecture, with its weights, in evaluation mode.
    static func rebuild(_ checkpoint: Checkpoint) throws -> (Module<Float>, inputShape: [Int]) {
        let architecture = checkpoint.architecture
        guard let entry = ModelZoo.entries.first(where: { $0.name == architecture.name }) else {
            throw ExportError.checkpoint(
                "the checkpoint holds an unknown architecture '\(architecture.name)'; known: \(ModelZoo.names.joined(separator: ", "))")
        }
        var inputShape = entry.defaultInputShape
        if case .ints(let shape)? = architecture["input_shape"] { inputShape = shape }
        let model: Module<Float>
        do {
            model = try ModelZoo.make(entry.name, classes: architecture.int("classes"), inputShape: inputShape, initialize: false)
            // A quantization-aware checkpoint also holds its layers' observer buffers. The export
            // lowers the fp32 weights (--int8 calibrates its own ranges), so fake quantization is off.
            if architecture.usesFakeQuantization { model.enableFakeQuantization() }
            try model.load(checkpoint.model, strict: true)
            model.disableFakeQuantization()
        } catch {
            throw ExportError.checkpoint("the checkpoint's weights do not fit \(entry.name) \(architecture.config): \(error)")
        }
        model.eval()
        return (model, inputShape)
    }

    /// The checkpoint's input contract; for a checkpoint written before
    /// format 1.1, the one its recipe's data set implies when that data is here.
    static func inputContract(of checkpoint: Checkpoint, inputShape: [Int]) throws -> InputContract {
        let contract: InputContract
        if let stored = checkpoint.input {
            contract = stored
        } else {
            let why = "the checkpoint has no input contract (written before checkpoint format 1.1)"
            guard let data = TrainingSettings.parseRecipe(checkpoint.recipe)?["data"] else {
                throw ExportError.checkpoint("\(why), and its recipe names no training data to derive one from; "
                                                 + "train or resume it with this dltrain to record one")
            }
            do {
                contract = TrainingData.inputContract(try TrainingData.detect(data), path: data, inputShape: inputShape)
            } catch {
                throw ExportError.checkpoint("\(why), and its training data cannot be examined to derive one: \(error)")
            }
        }
        if let problem = contract.problem { throw ExportError.checkpoint("the checkpoint's input contract is invalid: \(problem)") }
        guard inputShape.count != 3 || inputShape[0] == contract.channels else {
            throw ExportError.checkpoint(
                "the input contract describes \(contract.channelOrder) images, but the model takes \(inputShape[0]) channels")
        }
        return contract
    }

    /// The self-test input and where it came from: `--sample`, else the checkpoint's first sample.
    static func selfTestInput(_ checkpoint: Checkpoint, options: ExportOptions, contract: InputContract,
                              inputShape: [Int]) throws -> ([Float], source: String) {
        if let path = options.sampleImage {
            return (try contract.input(imageAt: path, inputShape: inputShape), "image '\(path)'")
        }
        guard let sample = checkpoint.samples.first else {
            throw ExportError.checkpoint(
                "the checkpoint carries no sample input (written before checkpoint format 1.1); pass --sample IMAGE")
        }
        guard sample.shape.reduce(1, *) == inputShape.reduce(1, *) else {
            throw ExportError.checkpoint("the checkpoint's sample is \(sample.shape), but the model takes \(inputShape)")
        }
        let name = storedLabels(checkpoint).flatMap { sample.label < $0.count ? " '\($0[sample.label])'" : nil } ?? ""
        return (contract.normalize(sample.pixels), "\(sample.source) (label \(sample.label)\(name))")
    }

    /// `--labels`, else the class names dltrain recorded; one per output.
    static func labels(_ checkpoint: Checkpoint, options: ExportOptions, classes: Int) throws -> [String] {
        guard let labels = options.labels ?? storedLabels(checkpoint) else {
            throw ExportError.checkpoint("the checkpoint records no class names; pass --labels FILE (one per line, \(classes) lines)")
        }
        guard labels.count == classes else {
            throw ExportError.checkpoint(
                "\(labels.count) labels \(options.labels != nil ? "given" : "in the checkpoint") for a model with \(classes) outputs")
        }
        return labels
    }

    /// The class names dltrain records in the architecture (`class_names`).
    static func storedLabels(_ checkpoint: Checkpoint) -> [String]? {
        if case .strings(let names)? = checkpoint.architecture["class_names"] { return names }
        return nil
    }

    /// Loads `bytes` in the C runtime, runs its own self-test and the input,
    /// and returns the relative difference from the engine's output.
    static func verify(_ bytes: [UInt8], input: [Float], expected: [Float], tolerance: Double) throws -> Double {
        let got: [Float]
        do {
            let model = try Model(bytes: bytes)
            got = try Parity.runtimeOutput(of: model, input: input)
            try model.selfTest()
        } catch {
            throw ExportError.verification("the C runtime refused the lowered model: \(error)")
        }
        let error = Parity.relativeError(got, expected)
        guard error <= tolerance else {
            throw ExportError.verification(
                "the C runtime's output differs from the engine's by \(error) (relative), more than \(tolerance)")
        }
        return error
    }
}
