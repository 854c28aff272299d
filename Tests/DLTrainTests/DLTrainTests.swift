import Foundation
import Testing
import ToolTestSupport
@testable import DeepLearning

/// A tiny MNIST-format data set (uncompressed IDX) in a fresh temp directory:
/// 12x12 images of noise with a bright 3x3 square whose place depends on the label
/// (small, so that the MLP trains fast in a debug build).
enum Fixture {
    static func makeDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "dltrain-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func idx(_ dimensions: [Int], _ bytes: [UInt8]) -> Data {
        var data = Data([0, 0, 0x08, UInt8(dimensions.count)])
        for d in dimensions { data.append(contentsOf: [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)]) }
        data.append(contentsOf: bytes)
        return data
    }

    static let side = 12

    static func writeMNIST(to directory: String, train: Int = 96, test: Int = 40) throws {
        var g = SplitMix64(seed: 7)
        for (prefix, count) in [("train", train), ("t10k", test)] {
            var pixels: [UInt8] = []
            var labels: [UInt8] = []
            for i in 0..<count {
                let label = i % 10
                let (top, left) = (1 + (label / 5) * 6, 1 + (label % 5) * 2)
                for y in 0..<side {
                    for x in 0..<side {
                        let inside = y >= top && y < top + 3 && x >= left && x < left + 3
                        pixels.append(inside ? 200 + UInt8(g.next() % 56) : UInt8(g.next() % 40))
                    }
                }
                labels.append(UInt8(label))
            }
            try idx([count, side, side], pixels).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-images-idx3-ubyte"))
            try idx([count], labels).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-labels-idx1-ubyte"))
        }
    }

    static func options(data: String, out: String, epochs: Int = 2) -> TrainingOptions {
        var o = TrainingOptions()
        o.model = "mlp"
        o.data = data
        o.epochs = epochs
        o.batchSize = 16
        o.threads = 2
        o.out = out
        return o
    }

    static func weightBits(_ state: StateDict<Float>) -> [String: [UInt32]] {
        Dictionary(uniqueKeysWithValues: state.map { ($0.key, $0.value.scalars.map(\.bitPattern)) })
    }

    /// Runs dltrain with `arguments`; returns the exit status, stdout and stderr.
    static func run(_ arguments: [String], in directory: String) throws -> (status: Int32, out: String, err: String) {
        let output = try Tool.run("dltrain", arguments, in: directory)
        return (output.status, output.out, output.err)
    }
}

@Suite struct TrainerTests {
    @Test func trainsTwoEpochsWithLogAndCheckpoint() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir)
        var options = Fixture.options(data: dir, out: "\(dir)/model.ckpt")
        options.log = "\(dir)/log.jsonl"
        options.commandLine = ["dltrain", "--model", "mlp", "--data", dir]
        let trainer = try Trainer(options)
        #expect(trainer.data.kind == .mnist && trainer.data.train.count == 96 && trainer.data.test.count == 40)
        #expect(trainer.settings.optimizer == .adam && trainer.settings.schedule == .cosine)
        let summary = try trainer.run()
        #expect(summary.epochsRun == 2)

        let lines = try String(contentsOfFile: "\(dir)/log.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2)
        for (i, line) in lines.enumerated() {
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            #expect(object["epoch"] as? Int == i + 1)
            #expect((object["test_accuracy"] as? Double).map { $0 >= 0 && $0 <= 1 } == true)
            #expect(object["images_per_second"] is Double)
        }

        let checkpoint = try Checkpoint.read(from: "\(dir)/model.ckpt")
        #expect(checkpoint.epoch == 2 && checkpoint.metrics.count == 2 && checkpoint.step == 2 * (96 / 16))
        #expect(checkpoint.architecture.name == "mlp" && checkpoint.architecture.int("classes") == 10)
        #expect(checkpoint.recipe.hasPrefix("dltrain --model mlp --data "))
        #expect(TrainingSettings.parseRecipe(checkpoint.recipe)?["batch_size"] == "16")
        #expect(checkpoint.optimizer != nil && checkpoint.schedule != nil && checkpoint.rngStates["loader.seed"] == 0)
        // The checkpoint rebuilds the model without flags.
        let rebuilt = try ModelZoo.make(checkpoint.architecture.name, classes: 10, inputShape: [1, Fixture.side, Fixture.side])
        #expect(try rebuilt.load(checkpoint.model).isExact)
        // It learned something from the easy synthetic data.
        #expect((checkpoint.metrics.last?.testAccuracy ?? 0) > 0.3)
    }

    /// A resume without --log keeps writing the run's own log; --log on resume moves it
    /// (the log is the whole history, rewritten after every epoch).
    @Test func resumeContinuesTheRunsLog() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir, train: 32, test: 10)
        var options = Fixture.options(data: dir, out: "\(dir)/model.ckpt", epochs: 3)
        options.log = "\(dir)/log.jsonl"
        options.stopAfter = 1
        try Trainer(options).run()
        var resume = Fixture.options(data: dir, out: options.out, epochs: 2)
        resume.resume = true
        let resumed = try Trainer(resume)
        #expect(resumed.settings.log == options.log)
        try resumed.run()
        func epochs(_ path: String) throws -> [Int?] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])["epoch"] as? Int
            }
        }
        #expect(try epochs(options.log!) == [1, 2])
        resume.epochs = 3
        resume.log = "\(dir)/moved.jsonl"
        try Trainer(resume).run()
        #expect(try epochs(resume.log!) == [1, 2, 3])
        #expect(try epochs(options.log!) == [1, 2], "the old log is left as it was")
        #expect(TrainingSettings.parseRecipe(try Checkpoint.read(from: options.out).recipe)?["log"] == resume.log)
    }

    /// glibc accepts the heap settings the trainers apply (mallopt returns 1 for each).
    @Test func trainingHeapTuningApplies() {
        #if canImport(Glibc)
        #expect(TrainingHeap.retainFreedMemory())
        #endif
    }

    /// The recipe's first line stays the command that started the run: a resume's
    /// own command line (`dltrain --resume --out ...`) would not say how to reproduce it.
    @Test func resumeKeepsTheCommandThatStartedTheRun() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir, train: 32, test: 10)
        var options = Fixture.options(data: dir, out: "\(dir)/model.ckpt", epochs: 2)
        options.commandLine = ["dltrain", "--model", "mlp", "--epochs", "2"]
        options.stopAfter = 1
        try Trainer(options).run()
        var resume = TrainingOptions()
        resume.out = options.out
        resume.resume = true
        resume.commandLine = ["dltrain", "--resume", "--out", options.out]
        try Trainer(resume).run()
        let checkpoint = try Checkpoint.read(from: options.out)
        #expect(checkpoint.recipe.split(separator: "\n").first == "dltrain --model mlp --epochs 2")
        #expect(TrainingSettings.parseRecipe(checkpoint.recipe)?[TrainingSettings.commandKey] == "dltrain --model mlp --epochs 2")
        #expect(checkpoint.epoch == 2)
    }

    @Test func labelSmoothingAndCutoutReachTheTrainingStep() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir, train: 32, test: 10)
        var options = Fixture.options(data: dir, out: "\(dir)/plain.ckpt", epochs: 1)
        options.learningRate = 1e-9 // the weights barely move: the loss is the initial model's, over the same batches
        let plain = try Trainer(options)
        let plainLoss = try plain.trainEpoch().loss
        options.out = "\(dir)/smoothed.ckpt"
        options.labelSmoothing = 0.5
        options.cutout = 5
        let smoothed = try Trainer(options)
        #expect(smoothed.data.train.transform.cutout == 5 && smoothed.data.test.transform.cutout == 0)
        #expect(plain.data.train.transform.cutout == 0)
        let smoothedLoss = try smoothed.trainEpoch().loss
        #expect(smoothedLoss != plainLoss)
        // Without cutout the smoothed loss is the smoothed cross-entropy of the initial model over the same batches.
        options.cutout = nil
        options.out = "\(dir)/smoothed-only.ckpt"
        let smoothedOnly = try Trainer(options)
        let initial = try ModelZoo.make("mlp", classes: 10, inputShape: [1, Fixture.side, Fixture.side], seed: 0)
        var expected = 0.0
        for batch in smoothedOnly.trainLoader.batches(epoch: 0) {
            let loss = crossEntropy(logits: initial(batch.inputTensor), labels: batch.labels, labelSmoothing: 0.5)
            expected += Double(loss.item()) * Double(batch.count) / 32
        }
        #expect(abs(try smoothedOnly.trainEpoch().loss - expected) < 1e-4)
    }

    @Test func csvLog() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir, train: 32, test: 10)
        var options = Fixture.options(data: dir, out: "\(dir)/m.ckpt", epochs: 1)
        options.log = "\(dir)/log.csv"
        options.schedule = .onecycle
        try Trainer(options).run()
        let lines = try String(contentsOfFile: "\(dir)/log.csv", encoding: .utf8).split(separator: "\n")
        #expect(lines.count == 2 && lines[0].hasPrefix("epoch,train_loss,train_accuracy,test_loss,test_accuracy"))
        #expect(lines[1].hasPrefix("1,") && lines[1].split(separator: ",").count == 8)
    }

    @Test(arguments: [ScheduleKind.cosine, .onecycle, .plateau, .multistep])
    func resumeIsBitExact(schedule: ScheduleKind) throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir, train: 64, test: 20)
        var straight = Fixture.options(data: dir, out: "\(dir)/straight.ckpt", epochs: 3)
        straight.schedule = schedule
        straight.optimizer = schedule == .onecycle ? .sgd : .adam
        straight.seed = 5
        try Trainer(straight).run()

        var first = straight
        first.out = "\(dir)/resumed.ckpt"
        first.stopAfter = 1
        try Trainer(first).run()
        let interrupted = try Checkpoint.read(from: first.out)
        #expect(interrupted.epoch == 1)
        var resume = TrainingOptions() // everything else comes from the checkpoint
        resume.out = first.out
        resume.resume = true
        resume.threads = 2
        let resumed = try Trainer(resume)
        let straightSettings = try TrainingSettings.resolve(straight)
        #expect(resumed.epoch == 1 && resumed.settings == straightSettings)
        try resumed.run()

        let a = try Checkpoint.read(from: straight.out), b = try Checkpoint.read(from: first.out)
        #expect(Fixture.weightBits(a.model) == Fixture.weightBits(b.model), "weights after resume must be bit-identical")
        #expect(a.optimizer == b.optimizer && a.schedule?.mapValues(\.bitPattern) == b.schedule?.mapValues(\.bitPattern))
        #expect(a.step == b.step && a.epoch == 3 && b.epoch == 3)
        #expect(a.metrics.map(\.testAccuracy) == b.metrics.map(\.testAccuracy))
    }

    @Test func transferLearningFreezesAndResetsTheHead() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir, train: 32, test: 10)
        try Trainer(Fixture.options(data: dir, out: "\(dir)/base.ckpt", epochs: 1)).run()
        let base = try Checkpoint.read(from: "\(dir)/base.ckpt")

        var options = Fixture.options(data: dir, out: "\(dir)/tuned.ckpt", epochs: 1)
        options.model = nil // taken from the --init checkpoint
        options.initFrom = "\(dir)/base.ckpt"
        options.freeze = ["1", "3"]
        options.resetHead = 10
        options.seed = 9
        let trainer = try Trainer(options)
        #expect(trainer.settings.model == "mlp")
        #expect(trainer.notes.contains { $0.contains("new head: 5.weight, 5.bias") })
        let before = trainer.model.stateDict()
        #expect(before["1.weight"]!.scalars == base.model["1.weight"]!.scalars)
        #expect(before["5.weight"]!.scalars != base.model["5.weight"]!.scalars) // a fresh head
        try trainer.run()
        let after = try Checkpoint.read(from: "\(dir)/tuned.ckpt").model
        for key in ["1.weight", "1.bias", "3.weight", "3.bias"] {
            #expect(after[key]!.scalars == base.model[key]!.scalars, "\(key) is frozen")
        }
        #expect(after["5.weight"]!.scalars != before["5.weight"]!.scalars)

        // Without --reset-head the same --init loads everything, head included.
        var plain = options
        plain.resetHead = nil
        plain.freeze = []
        plain.out = "\(dir)/plain.ckpt"
        #expect(try Trainer(plain).model.stateDict()["5.weight"]!.scalars == base.model["5.weight"]!.scalars)
    }

    @Test func settingsAndDetection() throws {
        #expect(Recipe.defaults(for: "resnet20") == Recipe(optimizer: .sgd, learningRate: 0.1, momentum: 0.9, weightDecay: 5e-4,
                                                           schedule: .onecycle, batchSize: 128, epochs: 30))
        #expect(Recipe.defaults(for: "lenet5").optimizer == .adam)
        var options = TrainingOptions()
        options.model = "lenet5"
        options.data = "x"
        options.optimizer = .sgd
        options.commandLine = ["dltrain", "--data", "a b"]
        let s = try TrainingSettings.resolve(options)
        #expect(s.learningRate == 0.1 && s.weightDecay == 5e-4 && s.momentum == 0.9)
        let text = s.recipeText(threads: 3)
        #expect(text.hasPrefix("dltrain --data 'a b'\n"))
        #expect(TrainingSettings.parseRecipe(text)?["optimizer"] == "sgd")
        // A resume refuses a flag that would change the weights.
        var resume = TrainingOptions()
        resume.batchSize = 7
        #expect(throws: TrainingError.self) { try TrainingSettings.resolve(resume, stored: s.recipeEntries) }
        resume.batchSize = nil
        resume.epochs = 50
        #expect(try TrainingSettings.resolve(resume, stored: s.recipeEntries).epochs == 50)

        // Label smoothing and cutout: recorded, fixed on resume (absent from an older recipe means 0), classifiers only.
        options.labelSmoothing = 0.1
        options.cutout = 8
        let regularised = try TrainingSettings.resolve(options)
        #expect(regularised.labelSmoothing == 0.1 && regularised.cutout == 8)
        #expect(try TrainingSettings.resolve(TrainingOptions(), stored: regularised.recipeEntries) == regularised)
        var older = s.recipeEntries
        older["label_smoothing"] = nil
        older["cutout"] = nil
        #expect(try TrainingSettings.resolve(TrainingOptions(), stored: older) == s)
        resume.cutout = 4
        #expect(throws: TrainingError.self) { try TrainingSettings.resolve(resume, stored: older) }
        #expect(throws: TrainingError.self) { try TrainingSettings.resolve(resume, stored: regularised.recipeEntries) }
        resume.cutout = 8
        #expect(try TrainingSettings.resolve(resume, stored: regularised.recipeEntries).cutout == 8)
        for (smoothing, cutout) in [(1.0, 0), (-0.1, 0), (0, -1)] {
            var invalid = options
            (invalid.labelSmoothing, invalid.cutout) = (smoothing, cutout)
            #expect(throws: TrainingError.self) { try TrainingSettings.resolve(invalid) }
        }
        for model in ["dcgan", "autoencoder", CharLSTMRecipe.modelName] {
            var generative = options
            generative.model = model
            generative.optimizer = nil
            #expect(throws: TrainingError.self) { try TrainingSettings.resolve(generative) }
        }

        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        #expect(throws: TrainingError.self) { try TrainingData.detect(dir) }
        try FileManager.default.createDirectory(atPath: "\(dir)/train/cat", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: "\(dir)/test/cat", withIntermediateDirectories: true)
        #expect(try TrainingData.detect(dir) == .imageFolder)
        FileManager.default.createFile(atPath: "\(dir)/test_batch.bin", contents: Data())
        #expect(try TrainingData.detect(dir) == .cifar10Binary)
        FileManager.default.createFile(atPath: "\(dir)/train-images-idx3-ubyte.gz", contents: Data())
        #expect(try TrainingData.detect(dir) == .mnist)
    }
}

/// The built executable: a real run, a resume, and every error case.
@Suite struct DLTrainProcessTests {
    @Test func trainResumeAndErrors() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        let data = "\(dir)/mnist"
        try FileManager.default.createDirectory(atPath: data, withIntermediateDirectories: true)
        try Fixture.writeMNIST(to: data, train: 48, test: 20)
        let common = ["--model", "mlp", "--data", data, "--batch-size", "16", "--threads", "2", "--epochs", "2", "--progress", "lines"]

        // Two epochs straight, and one epoch then --resume.
        let straight = try Fixture.run(common + ["--out", "straight.ckpt", "--log", "log.jsonl"], in: dir)
        #expect(straight.status == 0, "\(straight.err)")
        #expect(straight.out.contains("epoch 2/2") && straight.err.contains("img/s") && straight.err.contains("ETA"))
        #expect(try String(contentsOfFile: "\(dir)/log.jsonl", encoding: .utf8).split(separator: "\n").count == 2)
        let first = try Fixture.run(common + ["--out", "resumed.ckpt", "--stop-after", "1"], in: dir)
        #expect(first.status == 0, "\(first.err)")
        let second = try Fixture.run(["--resume", "--out", "resumed.ckpt", "--threads", "2", "--progress", "none"], in: dir)
        #expect(second.status == 0, "\(second.err)")
        #expect(second.out.contains("resuming") && second.out.contains("epoch 2/2") && !second.out.contains("epoch 1/2"))
        let a = try Checkpoint.read(from: "\(dir)/straight.ckpt"), b = try Checkpoint.read(from: "\(dir)/resumed.ckpt")
        #expect(b.epoch == 2 && Fixture.weightBits(a.model) == Fixture.weightBits(b.model))

        // Every error: non-zero exit, a message naming the problem, the existing checkpoint untouched.
        let ckpt = "\(dir)/straight.ckpt"
        let original = try Data(contentsOf: URL(fileURLWithPath: ckpt))
        try Data("not a checkpoint at all".utf8).write(to: URL(fileURLWithPath: "\(dir)/corrupt.ckpt"))
        var truncated = original
        truncated.removeLast(100)
        try truncated.write(to: URL(fileURLWithPath: "\(dir)/truncated.ckpt"))
        try FileManager.default.createDirectory(atPath: "\(dir)/empty", withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: "\(dir)/plainfile", contents: Data("x".utf8))
        let base = ["--model", "mlp", "--data", data, "--threads", "2", "--epochs", "1"]
        let cases: [(arguments: [String], message: String)] = [
            (["--model", "mlp", "--data", "\(dir)/nowhere", "--out", ckpt, "--overwrite"], "does not exist"),
            (["--model", "mlp", "--data", "\(dir)/empty", "--out", ckpt, "--overwrite"], "no data set found in"),
            (["--model", "mlp", "--data", "\(dir)/plainfile", "--out", ckpt, "--overwrite"], "is not a directory"),
            (["--model", "resnet7", "--data", data, "--out", ckpt, "--overwrite"], "unknown model \"resnet7\"; known models: mlp, lenet5"),
            (base + ["--out", ckpt], "already exists; pass --resume"),
            (base + ["--out", ckpt, "--overwrite", "--epochs", "0"], "--epochs 0 must be at least 1"),
            (base + ["--out", ckpt, "--overwrite", "--lr=-0.5"], "--lr -0.5 must be a positive number"),
            (base + ["--out", ckpt, "--overwrite", "--optimizer", "rmsprop"], "rmsprop"),
            (base + ["--out", ckpt, "--overwrite", "--batch-size", "many"], "many"),
            (base + ["--out", ckpt, "--overwrite", "--freeze", "nothing.here"], "--freeze 'nothing.here' matches no parameter"),
            (base + ["--out", ckpt, "--overwrite", "--reset-head", "3"], "--reset-head needs --init"),
            (["--resume", "--out", "corrupt.ckpt"], "cannot resume from 'corrupt.ckpt': not a checkpoint"),
            (["--resume", "--out", "truncated.ckpt"], "cannot resume from 'truncated.ckpt': checkpoint truncated"),
            (["--resume", "--out", "absent.ckpt"], "no checkpoint at 'absent.ckpt'"),
            (base + ["--out", ckpt, "--overwrite", "--init", "corrupt.ckpt"], "cannot initialise from (--init) 'corrupt.ckpt'"),
            (base + ["--out", "\(dir)/no/such/dir/model.ckpt"], "the directory '\(dir)/no/such/dir' does not exist"),
            (base + ["--out", "\(dir)/plainfile/model.ckpt"], "does not exist"),
            (base + ["--out", "\(dir)/empty"], "is a directory"),
            (base + ["--out", ckpt, "--overwrite", "--log", "\(dir)/no/log.jsonl"], "cannot write --log"),
            (["--resume", "--out", ckpt, "--batch-size", "8"], "--batch-size 8 conflicts with the checkpoint"),
        ]
        for (arguments, message) in cases {
            let result = try Fixture.run(arguments, in: dir)
            #expect(result.status != 0, "\(arguments) exited 0")
            #expect(result.err.contains(message), "\(arguments): expected '\(message)' in: \(result.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: ckpt)) == original, "\(arguments) changed the checkpoint")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/corrupt.ckpt")) == Data("not a checkpoint at all".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(dir)/truncated.ckpt")) == truncated)
        // No probe or temporary files were left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasPrefix(".") }.isEmpty)
    }
}
