import Foundation
import Testing
import DLExport
@testable import DeepLearning

/// `dltrain --model dcgan --ema DECAY`: the moving average of the generator.
@Suite(.serialized) struct GeneratorAverageTests {
    static func bits(_ state: StateDict<Float>, prefix: String) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: state.filter { $0.key.hasPrefix(prefix) }
            .map { (String($0.key.dropFirst(prefix.count)), $0.value.scalars.map(\.bitPattern)) })
    }

    @Test func decayWarmsUp() {
        #expect(DCGAN<Float>.averageDecay(0.999, updates: 0) == Float(1) / 10)
        #expect(DCGAN<Float>.averageDecay(0.999, updates: 90) == Float(91) / 100)
        #expect(DCGAN<Float>.averageDecay(0.999, updates: 1_000_000) == 0.999)
    }

    /// One update against the formula in Double: a + (1 - d)(g - a) per weight, statistics untouched.
    @Test func updateMovesEachWeightTowardTheGenerator() throws {
        var g = SplitMix64(seed: 5)
        let gan = try DCGAN<Float>.make(imageShape: [1, 8, 8], latentSize: 3, width: 4, averaged: true, using: &g)
        let averaged = try #require(gan.averaged)
        #expect(Self.bits(gan.stateDict(), prefix: "averaged.") == Self.bits(gan.stateDict(), prefix: "generator."),
                "the average starts as a copy of the generator")
        #expect(averaged.parameters().allSatisfy(\.isFrozen) && gan.generator.parameters().allSatisfy { !$0.isFrozen })
        #expect(!gan.parameterGroups.flatMap { $0.parameters }.contains { p in averaged.parameters().contains { $0 === p } },
                "no optimizer group holds the average")

        let before = averaged.namedParameters().map { $0.parameter.value.scalars }
        for (_, p) in gan.generator.namedParameters() {
            p.assign(Tensor<Float>.randomUniform(p.shape, low: -1, high: 1, using: &g))
        }
        for (_, b) in gan.generator.namedBuffers() where b.value.count > 1 {
            b.value = Tensor<Float>.randomUniform(b.shape, low: 0.5, high: 1, using: &g)
        }
        gan.updateAverage(decay: 0.9, updates: 10_000)
        for ((_, average), ((_, current), old)) in zip(averaged.namedParameters(), zip(gan.generator.namedParameters(), before)) {
            for (i, value) in average.value.scalars.enumerated() {
                let want = Double(old[i]) + 0.1 * (Double(current.value.scalars[i]) - Double(old[i]))
                #expect(abs(Double(value) - want) <= 1e-6)
            }
        }
        for (_, average) in averaged.namedBuffers() where average.value.count > 1 {
            #expect(average.value.scalars.allSatisfy { $0 == 0 || $0 == 1 }, "statistics are recalibrate's job")
        }
    }

    /// After recalibration, bn1's running mean is the channel mean of the
    /// average's own `project` output over all the latents (equal batches:
    /// the cumulative average of batch means is the overall mean), the
    /// parameters stay frozen, and the mode is restored.
    @Test func recalibrationMeasuresTheAveragesOwnStatistics() throws {
        var g = SplitMix64(seed: 6)
        let gan = try DCGAN<Float>.make(imageShape: [1, 8, 8], latentSize: 3, width: 4, averaged: true, using: &g)
        let averaged = try #require(gan.averaged)
        gan.eval()
        let latents = (0..<3).map { _ in Tensor<Float>.randomNormal([5, 3, 1, 1], using: &g) }
        gan.recalibrateAverage(latents: latents)
        #expect(!averaged.isTraining && averaged.parameters().allSatisfy(\.isFrozen))

        let project = try #require(averaged.namedModules().first { $0.name == "project" }?.module)
        let bn1 = try #require(averaged.namedModules().first { $0.name == "bn1" }?.module as? BatchNorm<Float>)
        let outputs = latents.map { z in withNoGrad { project(z) } }
        let (channels, perSample) = (outputs[0].shape[1], outputs[0].shape[2] * outputs[0].shape[3])
        for c in 0..<channels {
            var sum = 0.0, count = 0
            for y in outputs {
                for n in 0..<y.shape[0] {
                    for i in 0..<perSample { sum += Double(y.scalars[(n * channels + c) * perSample + i]); count += 1 }
                }
            }
            #expect(abs(Double(bn1.runningMean!.value.scalars[c]) - sum / Double(count)) < 1e-5)
        }
        #expect(bn1.batchesTracked!.value.item() == 3)
    }

    /// A run with --ema trains exactly the networks a run without it does
    /// (the average only watches), resumes bit-exactly average included, and
    /// exports the average.
    @Test func trainsResumesAndExportsTheAverage() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir)
        var plain = GANFixture.options(model: "dcgan", data: dir, out: "\(dir)/plain.ckpt", epochs: 3)
        plain.seed = 4
        try GenerativeTrainer(plain).run()
        var averaged = plain
        averaged.out = "\(dir)/ema.ckpt"
        averaged.averageDecay = 0.5
        try GenerativeTrainer(averaged).run()
        var interrupted = averaged
        interrupted.out = "\(dir)/resumed.ckpt"
        interrupted.stopAfter = 1
        try GenerativeTrainer(interrupted).run()
        try GenerativeTrainer(GANFixture.resumeOptions(out: interrupted.out)).run()

        let p = try Checkpoint.read(from: plain.out), e = try Checkpoint.read(from: averaged.out)
        let r = try Checkpoint.read(from: interrupted.out)
        #expect(e.architecture.averageDecay == 0.5 && p.architecture.averageDecay == nil)
        for network in ["generator.", "discriminator."] {
            #expect(Self.bits(p.model, prefix: network) == Self.bits(e.model, prefix: network), "\(network) changed by --ema")
        }
        #expect(Self.bits(e.model, prefix: "averaged.") != Self.bits(e.model, prefix: "generator."))
        #expect(Self.bits(e.model, prefix: "") == Self.bits(r.model, prefix: ""), "a resumed --ema run differs")

        // The exported generator is the average: its self-test output is the average's, not the generator's.
        let exported = try ModelExporter.export(e)
        let model = try #require(try GenerativeZoo.make(e.architecture, initialize: false) as? DCGAN<Float>)
        try model.load(e.model)
        model.eval()
        let latent = try #require(exported.file.selfTest?.inputs.first?.values)
        let input = Tensor<Float>(shape: [1] + model.latentShape, scalars: latent)
        let want = withNoGrad { model.averaged!(input) }.scalars, raw = withNoGrad { model.generator(input) }.scalars
        let stored = try #require(exported.file.selfTest?.outputs.first?.values)
        let error = zip(stored, want).map { abs($0 - $1) }.max() ?? 1
        let fromRaw = zip(stored, raw).map { abs($0 - $1) }.max() ?? 0
        #expect(error < 1e-4 && fromRaw > 1e-3, "exported output is \(error) from the average, \(fromRaw) from the generator")
    }

    @Test func refusesEMAOutsideDCGAN() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir)
        var options = GANFixture.options(model: "autoencoder", data: dir, out: "\(dir)/a.ckpt", epochs: 1)
        options.averageDecay = 0.999
        #expect(throws: TrainingError.self) { try GenerativeTrainer(options) }
        options.model = "dcgan"
        options.averageDecay = 1.5
        #expect(throws: TrainingError.self) { try GenerativeTrainer(options) }
        #expect(GANFixture.files(in: dir).allSatisfy { !$0.hasSuffix(".ckpt") })
    }
}
