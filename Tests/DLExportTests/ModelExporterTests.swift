import DeepLearning
import DLImage
import DLRuntime
import Foundation
import Testing
@testable import DLExport

/// Checkpoint to verified model: metadata, self-test vector, and every refusal.
@Suite struct ModelExporterTests {
    static func metadata(_ file: ModelFile, _ key: MetadataKey) -> MetadataValue? {
        file.metadata.first { $0.key == key }?.value
    }

    @Test func writesTheContractLabelsTrainingRecordAndSelfTest() throws {
        let checkpoint = try ExportFixtures.lenetCheckpoint()
        let exported = try ModelExporter.export(checkpoint)
        let file = exported.file
        #expect(Self.metadata(file, .modelName) == .string("lenet5-mnist"))
        #expect(Self.metadata(file, .modelArchitecture) == .string("lenet5"))
        #expect(Self.metadata(file, .modelProducer) == .string("dlexport \(ModelExporter.version)"))
        #expect(Self.metadata(file, .labels) == .stringArray((0..<10).map { "class \($0)" }))
        #expect(Self.metadata(file, .inputLayout) == .string("NCHW"))
        #expect(Self.metadata(file, .inputChannelOrder) == .string("GRAY"))
        #expect(Self.metadata(file, .inputPixelRange) == .f64Array([0, 1]))
        #expect(Self.metadata(file, .inputMean) == .f64Array([0.1307]))
        #expect(Self.metadata(file, .inputStd) == .f64Array([0.3081]))
        #expect(Self.metadata(file, .inputResize) == .string("stretch"))
        #expect(Self.metadata(file, .inputResizeShorter) == nil)
        #expect(Self.metadata(file, .outputKind) == .string("logits"))
        #expect(Self.metadata(file, .trainingDataset) == .string("mnist"))
        #expect(Self.metadata(file, .trainingEpochs) == .i64(2))
        #expect(Self.metadata(file, .trainingTestAccuracy) == .f64(0.8125))
        #expect(Self.metadata(file, .trainingTestLoss) == .f64(0.7))
        #expect(Self.metadata(file, .trainingRecipe) == .string(checkpoint.recipe))
        #expect(Self.metadata(file, .selfTestSource) == .string("test sample 0 (label 1 'class 1')"))
        guard case .string(let description)? = Self.metadata(file, .modelDescription) else {
            Issue.record("no description")
            return
        }
        #expect(description.contains("lenet5") && description.contains("2 epochs on mnist") && description.contains("81.25% test accuracy"))

        // The self-test input is the stored sample normalised by the contract, the output the engine's.
        let selfTest = try #require(file.selfTest)
        let sample = checkpoint.samples[0]
        let input = sample.pixels.map { (Float($0) / 255 - Float(0.1307)) / Float(0.3081) }
        #expect(zip(selfTest.inputs[0].values, input).allSatisfy { abs($0 - $1) <= 1e-6 })
        let (model, _) = try ModelExporter.rebuild(checkpoint)
        #expect(selfTest.outputs[0].values == Parity.engineOutput(of: model, input: selfTest.inputs[0].values, shape: [1, 1, 28, 28]))
        #expect(exported.summary.parityError <= 1e-4 && exported.summary.classes == 10)

        // The runtime reads back what was written, and the stored self-test passes there.
        let loaded = try Model(bytes: exported.bytes)
        #expect(try loaded.selfTest() <= 1)
        #expect(loaded.strings("labels") == (0..<10).map { "class \($0)" })
        #expect(loaded.inputs[0].shape == [1, 1, 28, 28] && loaded.outputs[0].shape == [1, 10])
    }

    /// The CIFAR contract: center-crop with its side, per-channel mean and std.
    @Test func cifarContract() throws {
        let model = try ExportFixtures.zooModel("resnet20")
        let checkpoint = ExportFixtures.checkpoint(of: model, architecture: "resnet20", inputShape: [3, 32, 32], classes: 10,
                                                   contract: ExportFixtures.cifarContract)
        let file = try ModelExporter.export(checkpoint).file
        #expect(Self.metadata(file, .inputChannelOrder) == .string("RGB"))
        #expect(Self.metadata(file, .inputMean) == .f64Array([0.4914, 0.4822, 0.4465]))
        #expect(Self.metadata(file, .inputStd) == .f64Array([0.247, 0.2435, 0.2616]))
        #expect(Self.metadata(file, .inputResize) == .string("center-crop"))
        #expect(Self.metadata(file, .inputResizeShorter) == .i64(32))
        #expect(Self.metadata(file, .modelName) == .string("resnet20-cifar10"))
    }

    /// A contract normalises a sample exactly as the training loader does.
    @Test func contractNormalisesLikeTheLoader() throws {
        let pixels = (0..<(3 * 4 * 4)).map { UInt8(truncatingIfNeeded: $0 * 5 + 1) }
        let dataset = try ImageDataset(channels: 3, height: 4, width: 4, pixels: pixels, labels: [0], classes: ["a"],
                                       transform: .cifar10Test)
        var loaded = [Float](repeating: 0, count: pixels.count)
        var random = SplitMix64(seed: 0)
        _ = loaded.withUnsafeMutableBufferPointer { dataset.load(0, into: $0, random: &random) }
        #expect(ExportFixtures.cifarContract.normalize(pixels) == loaded)
    }

    @Test func labelsOverrideAndMismatch() throws {
        let checkpoint = try ExportFixtures.lenetCheckpoint()
        let digits = (0..<10).map { "digit \($0)" }
        let file = try ModelExporter.export(checkpoint, options: ExportOptions(labels: digits)).file
        #expect(Self.metadata(file, .labels) == .stringArray(digits))
        #expect(throws: ExportError.checkpoint("3 labels given for a model with 10 outputs")) {
            try ModelExporter.export(checkpoint, options: ExportOptions(labels: ["a", "b", "c"]))
        }
        var unnamed = checkpoint
        unnamed.architecture.config["class_names"] = nil
        do {
            _ = try ModelExporter.export(unnamed)
            Issue.record("exported without labels")
        } catch let ExportError.checkpoint(message) {
            #expect(message.contains("--labels"))
        }
    }

    @Test func unknownArchitectureAndMisfittingWeights() throws {
        var checkpoint = try ExportFixtures.lenetCheckpoint()
        checkpoint.architecture.name = "lenet6"
        do {
            _ = try ModelExporter.export(checkpoint)
            Issue.record("an unknown architecture was exported")
        } catch let ExportError.checkpoint(message) {
            #expect(message.contains("unknown architecture 'lenet6'") && message.contains("lenet5"))
        }
        var misfit = try ExportFixtures.lenetCheckpoint()
        misfit.model["fc3.weight"] = Tensor(repeating: 0, shape: [11, 84])
        do {
            _ = try ModelExporter.export(misfit)
            Issue.record("misfitting weights were exported")
        } catch let ExportError.checkpoint(message) {
            #expect(message.contains("do not fit lenet5") && message.contains("fc3.weight"))
        }
    }

    /// A checkpoint from before format 1.1 (no contract, no sample): the
    /// contract is derived from the recipe's data when it is there; the
    /// sample must then come from --sample.
    @Test func checkpointsWithoutContractOrSample() throws {
        var old = try ExportFixtures.lenetCheckpoint()
        old.input = nil
        old.samples = []
        do {
            _ = try ModelExporter.export(old)
            Issue.record("exported without a contract")
        } catch let ExportError.checkpoint(message) {
            #expect(message.contains("no input contract") && message.contains("/nowhere"))
        }

        let dir = try ExportFixtures.makeTempDirectory()
        defer { ExportFixtures.remove(dir) }
        // An MNIST-layout directory is all detection needs.
        FileManager.default.createFile(atPath: "\(dir)/train-images-idx3-ubyte", contents: Data())
        old.recipe = "dltrain --model lenet5\nmodel=lenet5\ndata=\(dir)"
        do {
            _ = try ModelExporter.export(old)
            Issue.record("exported without a sample")
        } catch let ExportError.checkpoint(message) {
            #expect(message.contains("no sample input") && message.contains("--sample"))
        }
        // A PNG of a digit-like stroke as the sample, stretched from 40x30 to 28x28.
        var pixels = [UInt8](repeating: 0, count: 40 * 30)
        for y in 5..<25 { pixels[y * 40 + 20] = 255 }
        try Image(width: 40, height: 30, channels: 1, pixels: pixels).writePNG(to: "\(dir)/one.png")
        let exported = try ModelExporter.export(old, options: ExportOptions(sampleImage: "\(dir)/one.png"))
        #expect(Self.metadata(exported.file, .inputMean) == .f64Array([0.1307]))
        #expect(Self.metadata(exported.file, .selfTestSource) == .string("image '\(dir)/one.png'"))
        #expect(exported.summary.parityError <= 1e-4)
        #expect(throws: ExportError.self) { try ModelExporter.export(old, options: ExportOptions(sampleImage: "\(dir)/missing.png")) }
    }

    @Test func corruptTruncatedAndUnwritable() throws {
        let dir = try ExportFixtures.makeTempDirectory()
        defer { ExportFixtures.remove(dir) }
        let bytes = try ExportFixtures.lenetCheckpoint().encoded()
        var corrupt = bytes
        corrupt[bytes.count / 2] ^= 0x10
        let cases: [(String, [UInt8], String)] = [("corrupt", corrupt, "checksum mismatch"),
                                                  ("truncated", Array(bytes.prefix(bytes.count - 100)), "truncated"),
                                                  ("text", Array("not a checkpoint".utf8), "not a checkpoint")]
        for (name, content, reason) in cases {
            FileManager.default.createFile(atPath: "\(dir)/\(name).ckpt", contents: Data(content))
            do {
                try ModelExporter.export(checkpointAt: "\(dir)/\(name).ckpt", to: "\(dir)/\(name).dlrt")
                Issue.record("\(name) was exported")
            } catch let ExportError.checkpoint(message) {
                #expect(message.contains("cannot read the checkpoint '\(dir)/\(name).ckpt'") && message.contains(reason), "\(message)")
            }
        }
        FileManager.default.createFile(atPath: "\(dir)/good.ckpt", contents: Data(bytes))
        #expect(throws: ExportError.self) { try ModelExporter.export(checkpointAt: "\(dir)/good.ckpt", to: "\(dir)/no/such/dir/m.dlrt") }
        #expect(throws: ExportError.self) { try ModelExporter.export(checkpointAt: "\(dir)/good.ckpt", to: dir) }
        #expect(ExportFixtures.list(dir) == ["corrupt.ckpt", "good.ckpt", "text.ckpt", "truncated.ckpt"])
        try ModelExporter.export(checkpointAt: "\(dir)/good.ckpt", to: "\(dir)/good.dlrt")
        #expect(try Model(path: "\(dir)/good.dlrt").selfTest() <= 1)
    }
}
