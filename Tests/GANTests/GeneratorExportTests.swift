import Testing
import DLSupport
@testable import DeepLearning
@testable import DLExport
import DLRuntime

@Suite struct GeneratorExportTests {
    /// A random-init generator with random batch-norm statistics: the C
    /// runtime's output on latents other than the self-test's must match the
    /// engine's evaluation-mode generator.
    @Test func randomGeneratorParity() throws {
        let checkpoint = try GANFixture.randomGeneratorCheckpoint()
        let exported = try ModelExporter.export(checkpoint)
        #expect(exported.summary.foldedBatchNorms == 2, "both generator batch norms fold into the transposed convs")
        #expect(exported.summary.nodes == 3)
        let model = try Model(bytes: exported.bytes)
        #expect(model.inputs[0].shape == [1, 100, 1, 1] && model.outputs[0].shape == [1, 1, 8, 8])
        #expect(try model.selfTest() <= 1, "the stored self-test passes (normalized error <= 1)")

        let gan = try #require(try GenerativeZoo.make(checkpoint.architecture, initialize: false) as? DCGAN<Float>)
        try gan.load(checkpoint.model)
        gan.eval()
        let latents = PortableNormal.latents(seed: 42, count: 5, size: 100)
        let want = withNoGrad { gan(Tensor(shape: [5, 100, 1, 1], scalars: latents)) }.scalars
        let session = try Session(model: model, threads: 2, batch: 5)
        let got = try session.run([latents])[0]
        #expect(Parity.relativeError(got, want) < 1e-5)
    }

    /// Batch-norm folding into conv_transpose2d scales the weight's second axis:
    /// with a bias and several input channels it must still match the engine; grouped ones stay unfolded.
    @Test(arguments: [1, 2]) func batchNormFoldsIntoTransposedConvolutions(groups: Int) throws {
        var g = SplitMix64(seed: UInt64(groups))
        let bn = BatchNorm2d<Float>(4)
        bn.weight!.assign(.randomUniform([4], low: 0.5, high: 1.5, using: &g))
        bn.bias!.assign(.randomUniform([4], low: -0.5, high: 0.5, using: &g))
        bn.runningMean!.value = .randomUniform([4], low: -0.3, high: 0.3, using: &g)
        bn.runningVar!.value = .randomUniform([4], low: 0.2, high: 2, using: &g)
        let model = Sequential<Float>(ConvTranspose2d<Float>(6, 4, kernelSize: Size2d(3, 3), stride: Size2d(2, 2),
                                                             padding: Padding2d(1, 1), groups: groups, using: &g),
                                      bn, ReLU<Float>())
        model.eval()
        let lowered = try LoweredModel(model, inputShape: [6, 5, 5])
        #expect(lowered.foldedBatchNorms == (groups == 1 ? 1 : 0))
        let input = Tensor<Float>.randomNormal([1, 6, 5, 5], using: &g).scalars
        let want = Parity.engineOutput(of: model, input: input, shape: [1, 6, 5, 5])
        let got = try Parity.runtimeOutput(of: try lowered.builder.serialize(), input: input)
        #expect(Parity.relativeError(got, want) < 1e-5)
    }

    @Test func generatorMetadata() throws {
        let exported = try ModelExporter.export(try GANFixture.randomGeneratorCheckpoint())
        let model = try Model(bytes: exported.bytes)
        #expect(model.string("output.kind") == "image")
        #expect(model.doubles("output.range") == [-1, 1])
        #expect(model.string("output.channel_order") == "GRAY")
        #expect(model.ints("output.size") == [8, 8])
        #expect(model.string("input.kind") == "latent")
        #expect(model.string("input.latent_distribution") == "normal(0, 1)")
        #expect(model.string("model.architecture") == "dcgan")
        #expect(model.strings("labels") == nil, "a generator has no classes")
        #expect(exported.summary.description.hasPrefix("dcgan generator trained on"))
        #expect(exported.summary.description.contains("image output"))
    }

    /// The quality gate's --record: new metadata, the same graph, weights and self-test.
    @Test func recordingMetadataKeepsTheModel() throws {
        let exported = try ModelExporter.export(try GANFixture.randomGeneratorCheckpoint())
        let updated = try GeneratorExporter.settingMetadata([(.qualityClassEntropy, .f64(2.25)),
                                                             (.outputKind, .string("image"))], in: exported.bytes)
        let (before, after) = (try Model(bytes: exported.bytes), try Model(bytes: updated))
        #expect(after.double("quality.class_entropy") == 2.25 && before.double("quality.class_entropy") == nil)
        #expect(after.metadata.count == before.metadata.count + 1, "a key set again replaces its value")
        let latent = PortableNormal.latents(seed: 8, count: 1, size: 100)
        #expect(try Parity.runtimeOutput(of: after, input: latent) == Parity.runtimeOutput(of: before, input: latent))
        #expect(try after.selfTest() <= 1)
    }

    @Test func onlyTheGeneratorOfAGANExports() throws {
        let architecture = GenerativeZoo.architecture("autoencoder", imageShape: [1, 8, 8])
        let model = try GenerativeZoo.make(architecture)
        let checkpoint = Checkpoint(architecture: architecture, model: model.stateDict())
        #expect(throws: ExportError.self) { try ModelExporter.export(checkpoint) }
        var options = ExportOptions()
        options.labels = ["a"]
        #expect(throws: ExportError.self) { try ModelExporter.export(try GANFixture.randomGeneratorCheckpoint(), options: options) }
    }
}
