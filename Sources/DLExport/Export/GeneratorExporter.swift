import DeepLearning
import DLRuntime
import DLSupport

/// Metadata of an exported generator (docs/FORMAT.md, standard keys; docs/GAN.md).
extension MetadataKey {
    /// string: what the input is, `latent` for a generator (absent: an image, by the `input.*` contract).
    public static let inputKind: MetadataKey = "input.kind"
    /// string: how to draw the latent, `normal(0, 1)`: independent standard-normal values.
    public static let inputLatentDistribution: MetadataKey = "input.latent_distribution"
    /// i64 K: a conditional generator's latent ends in a one-hot class code of K values
    /// (`LatentClassCode`); `labels` names the classes. Absent: unconditional.
    public static let inputLatentClasses: MetadataKey = "input.latent_classes"
    /// string: `GRAY` or `RGB`, the channels of an image output.
    public static let outputChannelOrder: MetadataKey = "output.channel_order"
    /// i64 array `[H, W]` of an image output.
    public static let outputSize: MetadataKey = "output.size"
}

/// Exports the generator of a GAN checkpoint (`dltrain --model dcgan`): the
/// discriminator stays behind. The graph takes latents [N, L, 1, 1] and
/// gives images [N, C, H, W] in [-1, 1]; batch norms are folded into the
/// transposed convolutions and the activations fused. The self-test input
/// is latent 0 of `PortableNormal(seed: 0)` (of an AC-GAN: with class 0's
/// code), and as for classifiers the
/// file is refused unless the C runtime reproduces the engine's
/// evaluation-mode output within the tolerance.
public enum GeneratorExporter {
    /// The seed of the self-test latent.
    public static let selfTestSeed: UInt64 = 0

    /// Whether `checkpoint` holds a generative model, which this exporter handles.
    public static func exports(_ checkpoint: Checkpoint) -> Bool {
        GenerativeZoo.entry(checkpoint.architecture.name) != nil
    }

    public static func export(_ checkpoint: Checkpoint, options: ExportOptions = ExportOptions()) throws -> ExportedModel {
        let name = checkpoint.architecture.name
        if options.labels != nil || options.sampleImage != nil {
            throw ExportError.checkpoint("--labels and --sample are for classifiers; '\(name)' exports its generator, whose input is a latent vector")
        }
        let built: Module<Float>
        do {
            built = try GenerativeZoo.make(checkpoint.architecture, initialize: false)
            try built.load(checkpoint.model, strict: true)
        } catch {
            throw ExportError.checkpoint("the checkpoint's weights do not fit \(name) \(checkpoint.architecture.config): \(error)")
        }
        guard let gan = built as? DCGAN<Float> else {
            throw ExportError.checkpoint("'\(name)' has no generator to export: dlexport exports classifiers and the generator of a GAN (dcgan)")
        }
        gan.eval()
        var lowered = try LoweredModel(gan.sampler, inputShape: gan.latentShape)
        let input = PortableNormal.latents(seed: selfTestSeed, count: 1, size: gan.latentSize, code: gan.classCode)
        let expected = Parity.engineOutput(of: gan.sampler, input: input, shape: [1] + gan.latentShape)
        let dataset = checkpoint.input?.dataset ?? TrainingSettings.parseRecipe(checkpoint.recipe)?["data"]?
            .split(separator: "/").last.map(String.init) ?? "unknown"
        for (key, value) in metadata(checkpoint, gan: gan, dataset: dataset, producer: options.producer) {
            lowered.builder.setMetadata(value, for: key)
        }
        let scale = Double(expected.map { abs($0) }.max() ?? 0)
        try lowered.builder.selfTest(inputs: [(lowered.input, input)], outputs: [(lowered.output, expected)],
                                     rtol: Float(options.tolerance), atol: Float(options.tolerance * scale))
        let bytes = try lowered.builder.serialize()
        let parityError = try ModelExporter.verify(bytes, input: input, expected: expected, tolerance: options.tolerance)
        let role = gan.classes > 0 ? "conditional generator (\(gan.classes)-class code)" : "generator"
        return ExportedModel(file: lowered.builder.modelFile, bytes: bytes, summary: ExportSummary(
            architecture: "\(name) \(role)", dataset: dataset, inputShape: gan.latentShape, classes: 0,
            nodes: lowered.builder.nodes.count, foldedBatchNorms: lowered.foldedBatchNorms,
            fusedActivations: lowered.fusedActivations,
            parameters: lowered.builder.tensors.filter(\.isConstant).reduce(0) { $0 + $1.elementCount },
            testAccuracy: nil, parityError: parityError, selfTestSource: selfTestSource))
    }

    static var selfTestSource: String { "latent 0 of PortableNormal seed \(selfTestSeed)" }

    static func metadata(_ checkpoint: Checkpoint, gan: DCGAN<Float>, dataset: String,
                         producer: String) -> [(MetadataKey, MetadataValue)] {
        let name = checkpoint.architecture.name
        let (c, h, w) = (gan.imageShape[0], gan.imageShape[1], gan.imageShape[2])
        let conditional = gan.classes > 0 ? " conditioned on \(gan.classes) classes (AC-GAN)," : ""
        var description = "\(name) generator\(conditional) trained \(checkpoint.epoch) epoch\(checkpoint.epoch == 1 ? "" : "s") on \(dataset)"
        if let decay = checkpoint.architecture.averageDecay {
            description += " (the moving average of its generator, decay \(decay))"
        }
        if let last = checkpoint.metrics.last {
            description += formatted(": D loss %.4f, D accuracy %.1f%%", last.trainLoss, last.trainAccuracy * 100)
            if let g = last.testLoss { description += formatted(", G loss %.4f", g) }
            description += " (last epoch)"
        }
        var entries: [(MetadataKey, MetadataValue)] = [
            (.modelName, .string("\(name)\(gan.classes > 0 ? "-conditional" : "")-\(dataset)")),
            (.modelArchitecture, .string(name)),
            (.modelProducer, .string(producer)),
            (.modelDescription, .string(description)),
            (.inputLayout, .string("NCHW")),
            (.inputKind, .string("latent")),
            (.inputLatentDistribution, .string("normal(0, 1)" + (gan.classes > 0 ? ", the last \(gan.classes) values a one-hot class code" : ""))),
            (.outputKind, .string("image")),
            (.outputRange, .f64Array([-1, 1])),
            (.outputChannelOrder, .string(c == 1 ? "GRAY" : "RGB")),
            (.outputSize, .i64Array([Int64(h), Int64(w)])),
            (.trainingDataset, .string(dataset)),
            (.trainingEpochs, .i64(Int64(checkpoint.epoch))),
            (.selfTestSource, .string(selfTestSource)),
        ]
        if !checkpoint.recipe.isEmpty { entries.append((.trainingRecipe, .string(checkpoint.recipe))) }
        if gan.classes > 0 {
            entries.append((.inputLatentClasses, .i64(Int64(gan.classes))))
            entries.append((.labels, .stringArray(checkpoint.architecture.conditionalClassNames)))
        }
        return entries
    }
}

extension GeneratorExporter {
    /// `bytes` (a .dlrt file) with `entries` set in its metadata, everything
    /// else as it was: how tools/bench/gan_quality records its measurements in
    /// the model it measured. The result is checked by the C runtime, self-test included.
    public static func settingMetadata(_ entries: [(MetadataKey, MetadataValue)], in bytes: [UInt8]) throws -> [UInt8] {
        var builder = GraphBuilder(try ModelFile(decoding: bytes))
        for (key, value) in entries { builder.setMetadata(value, for: key) }
        let updated = try builder.serialize()
        do {
            try Model(bytes: updated).selfTest()
        } catch {
            throw ExportError.verification("the C runtime refused the model with its new metadata: \(error)")
        }
        return updated
    }
}

/// The quality gate's figures in a generator's metadata (docs/GAN.md).
extension MetadataKey {
    /// string: how the figures below were measured (classifier, sample count, seed, reference data).
    public static let qualityMethod: MetadataKey = "quality.method"
    /// f64 in [0, 1]: fraction of samples the classifier assigns a class with probability >= 0.9.
    public static let qualityConfidentFraction: MetadataKey = "quality.confident_fraction"
    /// f64, nats: entropy of the histogram of the classes the classifier predicts for the samples.
    public static let qualityClassEntropy: MetadataKey = "quality.class_entropy"
    /// f64: Fréchet distance between classifier features of samples and of test images.
    public static let qualityFrechetDistance: MetadataKey = "quality.frechet_distance"
    /// f64: the same distance for an untrained (random-init) generator of the same architecture.
    public static let qualityFrechetDistanceUntrained: MetadataKey = "quality.frechet_distance_untrained"
}
