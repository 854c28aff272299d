import Foundation
import Testing
@testable import DLExport
import DLImage
import DLRuntime
import DLSupport
@testable import DLSample
@testable import DeepLearning

/// The conditional DCGAN (AC-GAN, `dltrain --model dcgan --conditional`):
/// the class code, the step, training, export and `dlsample --class`.
@Suite(.serialized) struct ConditionalGANTests {
    static func tinyACGAN(seed: UInt64, classes: Int) throws -> DCGAN<Float> {
        var g = SplitMix64(seed: seed)
        return try DCGAN<Float>.make(imageShape: [1, 8, 8], latentSize: 8, width: 8, classes: classes, using: &g)
    }

    static func noise(_ n: Int, seed: UInt64) -> Tensor<Float> {
        var g = SplitMix64(seed: seed)
        return .randomNormal([n, 8, 1, 1], using: &g)
    }

    @Test func theClassCodeIsOneHotAtTheLatentsEnd() {
        let code = LatentClassCode(classes: 3, latentSize: 5)
        #expect(code.cycling(count: 7) == [0, 1, 2, 0, 1, 2, 0])
        let noise: [Float] = [9, 9, 9, 9, 9, 8, 8, 8, 8, 8]
        #expect(code.applying([2, 0], to: noise) == [9, 9, 0, 0, 1, 8, 8, 1, 0, 0])
        let plain = PortableNormal.latents(seed: 4, count: 4, size: 5)
        let coded = PortableNormal.latents(seed: 4, count: 4, size: 5, code: code)
        #expect(coded == code.applying([0, 1, 2, 0], to: plain))
        #expect(PortableNormal.latents(seed: 4, count: 4, size: 5, code: nil) == plain)
    }

    /// The step, written out with slices and two Adams: the real labels are
    /// the generated batch's classes, and both losses carry the class terms.
    @Test func aConditionalStepIsItsLossesWrittenOut() throws {
        let (a, b) = (try Self.tinyACGAN(seed: 4, classes: 3), try Self.tinyACGAN(seed: 4, classes: 3))
        #expect(a.discriminator.parameters().last!.value.shape == [4, 16, 2, 2], "one source and 3 class logits")
        let real = AdversarialStepTests.target(6)
        let labels = [0, 1, 2, 2, 1, 0]
        let adam = Adam(groups: a.parameterGroups, learningRate: 1e-3, betas: (0.5, 0.999))
        let adamG = Adam(b.generator.parameters(), learningRate: 1e-3, betas: (0.5, 0.999))
        let adamD = Adam(b.discriminator.parameters(), learningRate: 1e-3, betas: (0.5, 0.999))
        func loss(_ out: Tensor<Float>, _ target: Tensor<Float>) -> Tensor<Float> {
            binaryCrossEntropyWithLogits(out.slice(axis: 1, 0..<1), target)
                + crossEntropy(logits: out.slice(axis: 1, 1..<4), labels: labels)
        }
        var measured: [AdversarialLosses] = []
        var written: [(Double, Double)] = []
        ComputePool.Private(threads: 2).run {
            for step in 0..<3 {
                let z = Self.noise(6, seed: UInt64(20 + step))
                measured.append(a.adversarialStep(real: real, labels: labels, noise: z, optimizer: adam))

                var coded = z.scalars
                for (k, label) in labels.enumerated() {
                    for j in 0..<3 { coded[k * 8 + 5 + j] = j == label ? 1 : 0 }
                }
                let fake = b.generator(Tensor(shape: z.shape, scalars: coded))
                adamD.zeroGrad()
                let d = loss(b.discriminator(real), .ones([6, 1])) + loss(b.discriminator(fake.detached()), .zeros([6, 1]))
                d.backward()
                adamD.step()
                adamG.zeroGrad()
                let g = loss(b.discriminator(fake), .ones([6, 1]))
                g.backward()
                adamG.step()
                written.append((Double(d.item()), Double(g.item())))
            }
        }
        #expect(measured.map(\.discriminator) == written.map(\.0) && measured.map(\.generator) == written.map(\.1))
        // The class terms: at first the 3 class logits are near 0, ln 3 each on top of the BCEs.
        #expect(abs(measured[0].discriminator - 2 * log(2.0) - 2 * log(3.0)) < 0.1, "\(measured[0])")
        for (key, tensor) in a.stateDict() {
            let same = tensor.scalars.map(\.bitPattern) == b.stateDict()[key]!.scalars.map(\.bitPattern)
            #expect(same, "\(key) differs")
        }
    }

    /// Two classes, two pictures (a vertical and a horizontal bar): the
    /// generator must learn to draw the one whose code it is given.
    @Test func theGeneratorDrawsTheClassAskedFor() throws {
        let gan = try Self.tinyACGAN(seed: 5, classes: 2)
        let optimizer = Adam(groups: gan.parameterGroups, learningRate: 2e-3, betas: (0.5, 0.999))
        var vertical = [Float](repeating: -1, count: 64), horizontal = vertical
        for i in 0..<8 { vertical[i * 8 + 3] = 1; horizontal[3 * 8 + i] = 1 }
        let labels = (0..<16).map { $0 % 2 }
        let real = Tensor<Float>(shape: [16, 1, 8, 8], scalars: Array(labels.map { $0 == 0 ? vertical : horizontal }.joined()))
        let code = try #require(gan.classCode)
        func agreement(_ label: Int) -> Double {
            let z = code.applying([Int](repeating: label, count: 16), to: Self.noise(16, seed: 77).scalars)
            let fake = withNoGrad { gan(Tensor(shape: [16, 8, 1, 1], scalars: z)) }.scalars
            let target = label == 0 ? vertical : horizontal
            return Double(fake.indices.filter { (fake[$0] > 0) == (target[$0 % 64] > 0) }.count) / Double(fake.count)
        }
        let before = (agreement(0), agreement(1))
        ComputePool.Private(threads: 1).run {
            for step in 0..<100 {
                gan.adversarialStep(real: real, labels: labels, noise: Self.noise(16, seed: UInt64(step)), optimizer: optimizer)
            }
        }
        let after = (agreement(0), agreement(1))
        // Drawing the other class's bar would agree on only 50 of 64 pixels (0.78).
        #expect(before.0 < 0.8 && before.1 < 0.8, "pixels on the asked picture's side before training: \(before)")
        #expect(after.0 > 0.95 && after.1 > 0.95, "after 100 steps: \(after)")
    }

    /// `dltrain --conditional` on labelled 8x8 digits: recorded, resumable only
    /// as such, exported with its class code, and sampled class by class.
    @Test func trainExportAndSampleByClass() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir)
        var options = GANFixture.options(model: "dcgan", data: dir, out: "\(dir)/ac.ckpt", epochs: 2)
        options.conditional = true
        options.seed = 3
        options.stopAfter = 1
        try GenerativeTrainer(options).run()
        try GenerativeTrainer(GANFixture.resumeOptions(out: options.out)).run()
        let checkpoint = try Checkpoint.read(from: options.out)
        #expect(checkpoint.epoch == 2 && checkpoint.architecture.int("conditional_classes") == 10)
        #expect(checkpoint.architecture.conditionalClassNames == (0..<10).map(String.init))
        #expect(checkpoint.model["discriminator.score.weight"]?.shape == [11, 128, 2, 2])

        let exported = try ModelExporter.export(checkpoint)
        try exported.write(to: "\(dir)/ac.dlrt")
        let model = try Model(bytes: exported.bytes)
        #expect(model.int("input.latent_classes") == 10 && model.strings("labels") == (0..<10).map(String.init))
        #expect(model.string("input.latent_distribution")?.contains("one-hot class code") == true)
        #expect(exported.summary.description.hasPrefix("dcgan conditional generator (10-class code)"))
        let generator = try Generator(path: "\(dir)/ac.dlrt")
        #expect(generator.classCode == LatentClassCode(classes: 10, latentSize: 100))

        // The last epoch grid shows dlsample's default latents: class k mod 10 for sample k.
        var request = SampleRequest(modelPath: "\(dir)/ac.dlrt")
        request.seed = 3
        request.output = "\(dir)/default.png"
        try Sampler.run(request)
        let (grid, sampled) = (try Image(contentsOf: "\(dir)/ac-epoch-002.png"), try Image(contentsOf: "\(dir)/default.png"))
        #expect(zip(grid.pixels, sampled.pixels).allSatisfy { abs(Int($0) - Int($1)) <= 1 })

        // --class 7: every sample's code is 7, and by name or index alike.
        request.count = 3
        request.classChoice = "7"
        request.output = nil
        request.eachDirectory = "\(dir)/sevens"
        try Sampler.run(request)
        let noise = PortableNormal.latents(seed: 3, count: 3, size: 100)
        let want = try generator.images(latents: LatentClassCode(classes: 10, latentSize: 100).applying([7, 7, 7], to: noise))
        for k in 0..<3 {
            #expect(try Image(contentsOf: "\(dir)/sevens/sample-00\(k).png").pixels == want[k].pixels)
        }
        #expect(Sampler.classIndex("7", labels: ["a", "7"]) == 1, "a label name wins over an index")
        #expect(Sampler.classIndex("1", labels: ["a", "b"]) == 1 && Sampler.classIndex("2", labels: ["a", "b"]) == nil)

        // Refused: a class it does not have, --class on an unconditional generator.
        request.eachDirectory = nil
        request.output = "\(dir)/bad.png"
        request.classChoice = "10"
        #expect(throws: SampleError.self) { try Sampler.run(request) }
        request.modelPath = try GANFixture.writeRandomGenerator(in: dir)
        request.classChoice = "1"
        #expect((try? Sampler.run(request)) == nil)
        #expect(!GANFixture.files(in: dir).contains("bad.png"))
    }

    @Test func conditionalIsRefusedWhereItCannotApply() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir)
        var autoencoder = GANFixture.options(model: "autoencoder", data: dir, out: "\(dir)/ae.ckpt", epochs: 1)
        autoencoder.conditional = true
        #expect(throws: TrainingError.self) { try GenerativeTrainer(autoencoder) }
        // An unconditional run resumed with --conditional.
        var plain = GANFixture.options(model: "dcgan", data: dir, out: "\(dir)/plain.ckpt", epochs: 2)
        plain.stopAfter = 1
        try GenerativeTrainer(plain).run()
        var resume = GANFixture.resumeOptions(out: plain.out)
        resume.conditional = true
        #expect(throws: TrainingError.self) { try GenerativeTrainer(resume) }
        #expect(GANFixture.files(in: dir).allSatisfy { !$0.hasPrefix("ae") })
    }

    /// int8 export calibrates a conditional generator on class-coded latents and keeps its contract.
    @Test func int8ExportKeepsTheClassCode() throws {
        let data = try CalibrationData.latents(size: 100, samples: 4, evaluationSamples: 2,
                                               code: LatentClassCode(classes: 3, latentSize: 100))
        #expect(Array(data.calibration[1].suffix(3)) == [0, 1, 0] && Array(data.evaluation[0].input.suffix(3)) == [1, 0, 0])

        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        let architecture = GenerativeZoo.architecture("dcgan", imageShape: [1, 8, 8], classNames: ["a", "b", "c"])
        let model = try GenerativeZoo.make(architecture, seed: 6)
        try Checkpoint(architecture: architecture, model: model.stateDict(), epoch: 0, recipe: "").write(to: dir + "/ac.ckpt")
        let quantized = try Int8Exporter.export(checkpointAt: dir + "/ac.ckpt", to: dir + "/ac-int8.dlrt", calibrationData: nil,
                                                samples: 32, evaluationSamples: 16)
        #expect(quantized.report.outputSQNR > 25, "\(quantized.report.text)")
        let written = try Model(path: dir + "/ac-int8.dlrt")
        #expect(written.int("input.latent_classes") == 3 && written.strings("labels") == ["a", "b", "c"])
    }
}
