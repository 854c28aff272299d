import Foundation
import Testing
import DLImage
import DLExport
import DLSample
@testable import DeepLearning

@Suite(.serialized) struct GenerativeTrainerTests {
    static func bits(_ state: StateDict<Float>) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: state.map { ($0.key, $0.value.scalars.map(\.bitPattern)) })
    }

    /// 3 epochs straight against 1, a fresh process-like resume from the checkpoint, 2 more:
    /// both networks, the optimizer (both groups) and every batch-norm statistic bit-identical.
    @Test func dcganResumeIsBitExact() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir)
        var straight = GANFixture.options(model: "dcgan", data: dir, out: "\(dir)/straight.ckpt", epochs: 3)
        straight.seed = 9
        straight.log = "\(dir)/straight.jsonl"
        try GenerativeTrainer(straight).run()

        var first = straight
        first.out = "\(dir)/resumed.ckpt"
        first.log = "\(dir)/resumed.jsonl"
        first.stopAfter = 1
        try GenerativeTrainer(first).run()
        var resume = GANFixture.resumeOptions(out: first.out)
        resume.log = first.log
        #expect(GenerativeTrainer.entry(for: resume)?.name == "dcgan", "a resume finds the model in the checkpoint")
        let resumed = try GenerativeTrainer(resume)
        #expect(resumed.epoch == 1)
        try resumed.run()

        let a = try Checkpoint.read(from: straight.out), b = try Checkpoint.read(from: first.out)
        #expect(a.model.keys.contains("generator.bn1.running_mean") && a.model.keys.contains("discriminator.conv1.weight"))
        #expect(Self.bits(a.model) == Self.bits(b.model), "weights after resume must be bit-identical")
        #expect(a.optimizer == b.optimizer && a.optimizer?.values["groups.1.count"] != nil, "one optimizer, two groups")
        #expect(a.epoch == 3 && b.epoch == 3 && a.step == b.step && a.step == 3 * 2)
        #expect(a.metrics.map(\.trainLoss) == b.metrics.map(\.trainLoss) && a.metrics.map(\.testLoss) == b.metrics.map(\.testLoss))

        // The log: D and G losses per epoch, named as such.
        let lines = try String(contentsOfFile: straight.log!, encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 3)
        #expect(lines[0].contains("\"d_loss\":") && lines[0].contains("\"g_loss\":") && lines[0].contains("\"d_accuracy\":"))
        #expect(!lines[0].contains("test_accuracy"))
        #expect(try String(contentsOfFile: first.log!, encoding: .utf8) .split(separator: "\n").count == 3)

        // One 8x8 grid of 8x8 samples per epoch, beside the checkpoint: 8 * (8 + 2) + 2 = 82 pixels square.
        for epoch in 1...3 {
            let png = try Image(contentsOf: "\(dir)/straight-epoch-00\(epoch).png")
            #expect(png.width == 82 && png.height == 82)
        }
        // The last grid shows the latents dlsample draws for the run's seed: exported and sampled
        // in the C runtime, the pixels agree up to float rounding (one level).
        let exported = try ModelExporter.export(a)
        try exported.write(to: "\(dir)/g.dlrt")
        var request = SampleRequest(modelPath: "\(dir)/g.dlrt")
        request.seed = 9
        request.output = "\(dir)/dlsample.png"
        try Sampler.run(request)
        let (trained, sampled) = (try Image(contentsOf: "\(dir)/straight-epoch-003.png"), try Image(contentsOf: "\(dir)/dlsample.png"))
        #expect(trained.width == sampled.width && trained.height == sampled.height)
        #expect(zip(trained.pixels, sampled.pixels).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
    }

    @Test func autoencoderReconstructionErrorDrops() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir, train: 64, test: 16)
        var options = GANFixture.options(model: "autoencoder", data: dir, out: "\(dir)/ae.ckpt", epochs: 6)
        options.learningRate = 3e-3
        options.log = "\(dir)/ae.csv"
        let trainer = try GenerativeTrainer(options)
        let untrained = trainer.testError()
        try trainer.run()
        let metrics = try Checkpoint.read(from: options.out).metrics
        #expect(metrics.count == 6)
        let last = metrics.last!.testLoss!
        #expect(last < untrained * 0.5, "test MSE \(untrained) -> \(last)")
        #expect(metrics.last!.trainLoss < metrics.first!.trainLoss)
        let csv = try String(contentsOfFile: options.log!, encoding: .utf8)
        #expect(csv.hasPrefix("epoch,train_mse,test_mse,learning_rate,seconds,images_per_second\n"))
        // 16 test images above their 16 reconstructions: 16 x 2 tiles of 8x8 with 2 px padding.
        let png = try Image(contentsOf: "\(dir)/ae-epoch-006.png")
        #expect(png.width == 16 * 10 + 2 && png.height == 2 * 10 + 2)
    }

    @Test func refusesClassifierOnlyOptions() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir)
        var options = GANFixture.options(model: "dcgan", data: dir, out: "\(dir)/g.ckpt", epochs: 1)
        options.freeze = ["generator.*"]
        #expect(throws: TrainingError.self) { try GenerativeTrainer(options) }
        #expect(GANFixture.files(in: dir).allSatisfy { !$0.hasSuffix(".ckpt") && !$0.hasSuffix(".png") })
        #expect(GenerativeTrainer.entry(for: GANFixture.options(model: "lenet5", data: dir, out: "x", epochs: 1)) == nil)
    }

    /// `--width w` sizes both networks, is recorded, and resumes; a different
    /// width on resume, a width for the autoencoder, or a width below 1 is refused.
    @Test func widthSizesBothNetworksAndIsRecorded() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.writeMNIST(to: dir)
        var options = GANFixture.options(model: "dcgan", data: dir, out: "\(dir)/wide.ckpt", epochs: 2)
        options.width = 5
        options.stopAfter = 1
        try GenerativeTrainer(options).run()
        var resume = GANFixture.resumeOptions(out: options.out)
        resume.width = 6
        #expect(throws: TrainingError.self) { try GenerativeTrainer(resume) }
        resume.width = nil
        try GenerativeTrainer(resume).run()
        let checkpoint = try Checkpoint.read(from: options.out)
        #expect(checkpoint.epoch == 2 && checkpoint.architecture.int("width") == 5)
        #expect(checkpoint.model["generator.project.weight"]?.shape == [100, 10, 2, 2])
        #expect(checkpoint.model["generator.up1.weight"]?.shape == [10, 5, 4, 4])
        #expect(checkpoint.model["discriminator.conv1.weight"]?.shape == [5, 1, 4, 4])
        #expect(checkpoint.model["discriminator.conv2.weight"]?.shape == [10, 5, 4, 4])

        for (model, width) in [("autoencoder", 8), ("dcgan", 0)] {
            var bad = GANFixture.options(model: model, data: dir, out: "\(dir)/bad.ckpt", epochs: 1)
            bad.width = width
            #expect(throws: TrainingError.self) { try GenerativeTrainer(bad) }
        }
        #expect(!GANFixture.files(in: dir).contains("bad.ckpt"))
    }
}
