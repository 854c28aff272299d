import Foundation
import Testing
@testable import DeepLearning

/// `dltrain --qat`: fine-tuning an fp32 checkpoint with fake quantization.
@Suite struct QuantizationAwareTrainingTests {
    /// An fp32 MLP trained one epoch in `dir`, and the options of a QAT run from it.
    static func fp32Run(in dir: String) throws -> (fp32: String, qat: TrainingOptions) {
        try Fixture.writeMNIST(to: dir, train: 64, test: 20)
        var fp32 = Fixture.options(data: dir, out: "\(dir)/fp32.ckpt", epochs: 1)
        fp32.seed = 5
        try Trainer(fp32).run()
        var qat = TrainingOptions()
        qat.qat = true
        qat.qatFrom = fp32.out
        qat.threads = 2
        qat.epochs = 3
        qat.out = "\(dir)/qat.ckpt"
        return (fp32.out, qat)
    }

    @Test func fineTunesFromTheRecipeAndResumesBitExactly() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        let (fp32Path, straight) = try Self.fp32Run(in: dir)
        let fp32 = try Checkpoint.read(from: fp32Path)

        let trainer = try Trainer(straight)
        let s = trainer.settings
        #expect(s.model == "mlp" && s.batchSize == 16 && s.seed == 5 && s.optimizer == .adam && s.epochs == 3)
        #expect(s.learningRate == 1e-3 * Trainer.qatLearningRateFactor && s.schedule == .cosine && s.qatFrom == fp32Path)
        #expect(trainer.model.usesFakeQuantization && trainer.architecture.usesFakeQuantization)
        // It starts from the fp32 weights.
        for (key, tensor) in fp32.model { #expect(trainer.model.stateDict()[key] == tensor, "\(key)") }
        try trainer.run()

        var first = straight
        first.out = "\(dir)/interrupted.ckpt"
        first.stopAfter = 1
        try Trainer(first).run()
        var resume = TrainingOptions() // everything else comes from the checkpoint
        resume.out = first.out
        resume.resume = true
        resume.threads = 2
        let resumed = try Trainer(resume)
        #expect(resumed.epoch == 1 && resumed.settings == s && resumed.model.usesFakeQuantization)
        try resumed.run()

        let a = try Checkpoint.read(from: straight.out), b = try Checkpoint.read(from: first.out)
        #expect(a.architecture.usesFakeQuantization && a.model.keys.contains("1.input_range"))
        #expect(a.model["1.input_batches"]?.item() == Float(3 * 4)) // 64 examples, batch 16, 3 epochs
        #expect(Fixture.weightBits(a.model) == Fixture.weightBits(b.model), "weights and observers after resume must be bit-identical")
        #expect(a.optimizer == b.optimizer && a.step == b.step && b.epoch == 3)
        #expect(a.metrics.map(\.testAccuracy) == b.metrics.map(\.testAccuracy))
        // The fine-tuning moved the weights; the fp32 checkpoint is untouched.
        #expect(a.model["1.weight"] != fp32.model["1.weight"])
        #expect(try Checkpoint.read(from: fp32Path).model["1.weight"] == fp32.model["1.weight"])
    }

    @Test func refusals() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        let (fp32Path, qat) = try Self.fp32Run(in: dir)
        func message(_ change: (inout TrainingOptions) -> Void) -> String {
            var options = qat
            change(&options)
            do {
                _ = try Trainer(options)
                return "accepted"
            } catch {
                return "\(error)"
            }
        }
        #expect(message { $0.qatFrom = "\(dir)/absent.ckpt" }.contains("--qat: there is no checkpoint at '\(dir)/absent.ckpt'"))
        #expect(message { $0.qatFrom = nil }.contains("--qat fine-tunes a trained fp32 checkpoint"))
        #expect(message { $0.out = fp32Path }.contains("is the fp32 checkpoint itself"))
        #expect(message { $0.model = "lenet5" }.contains("--model lenet5, but '\(fp32Path)' holds a mlp"))
        #expect(message { $0.qat = false }.contains("is for --qat"))
        #expect(message { $0.qatFrom = nil; $0.resume = true; $0.out = fp32Path }.contains("is not a quantization-aware run"))
        #expect(message { $0.initFrom = fp32Path }.contains("--init cannot be combined with --qat"))
        #expect(Trainer.defaultQATOutput(for: "runs/a.ckpt") == "runs/a-qat.ckpt" && Trainer.defaultQATOutput(for: "b") == "b-qat.ckpt")
    }
}

@Suite struct QuantizationAwareProcessTests {
    @Test func qatCommandLine() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        let data = "\(dir)/mnist"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try Fixture.writeMNIST(to: data, train: 48, test: 20)
        let trained = try Fixture.run(["--model", "mlp", "--data", data, "--batch-size", "16", "--threads", "2", "--epochs", "1",
                                       "--progress", "none", "--out", "fp32.ckpt"], in: dir)
        #expect(trained.status == 0, "\(trained.err)")
        let fp32 = try Data(contentsOf: URL(fileURLWithPath: "\(dir)/fp32.ckpt"))

        // The command, with the default --out next to the fp32 checkpoint.
        let qat = try Fixture.run(["--qat", "--resume", "fp32.ckpt", "--epochs", "1", "--threads", "2", "--progress", "none"], in: dir)
        #expect(qat.status == 0, "\(qat.err)")
        #expect(qat.out.contains("quantization-aware training: 3 conv/linear layers") && qat.out.contains("lr 1e-05"))
        #expect(try Checkpoint.read(from: "\(dir)/fp32-qat.ckpt").architecture.usesFakeQuantization)
        let more = try Fixture.run(["--resume", "--out", "fp32-qat.ckpt", "--epochs", "2", "--threads", "2", "--progress", "none"], in: dir)
        #expect(more.status == 0 && more.out.contains("epoch 2/2"), "\(more.err)")

        // Exit 2 for what the command line can fix, 1 for a file in the way.
        let cases: [(arguments: [String], message: String, status: Int32)] = [
            (["--qat", "--model", "mlp", "--data", data], "--qat fine-tunes a trained fp32 checkpoint: dltrain --qat --resume FP32.ckpt", 2),
            (["--qat", "--resume", "absent.ckpt"], "--qat: there is no checkpoint at 'absent.ckpt' to fine-tune", 2),
            (["--qat", "--model", "dcgan", "--data", data], "--qat is for classifiers", 2),
            (["--qat", "--model", "charlstm", "--data", data], "--qat is for classifiers", 2),
            (["fp32.ckpt"], "a checkpoint argument ('fp32.ckpt') is for --qat", 2),
            (["--qat", "--resume", "fp32.ckpt", "--out", "fp32.ckpt"], "is the fp32 checkpoint itself", 2),
            (["--qat", "--resume", "--out", "fp32.ckpt"], "'fp32.ckpt' is not a quantization-aware run", 2),
            (["--qat", "--resume", "fp32.ckpt"], "--out 'fp32-qat.ckpt' already exists; continue that run with dltrain --resume --out fp32-qat.ckpt", 1),
            (["--qat", "--resume", "fp32-qat.ckpt", "--out", "x.ckpt"], "'fp32-qat.ckpt' is already quantization-aware", 2),
        ]
        for (arguments, message, status) in cases {
            let result = try Fixture.run(arguments + ["--threads", "2"], in: dir)
            #expect(result.status == status, "\(arguments) exited \(result.status): \(result.err)")
            #expect(result.err.contains(message), "\(arguments): expected '\(message)' in: \(result.err)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/fp32.ckpt")) == fp32, "the fp32 checkpoint was changed")
    }
}
