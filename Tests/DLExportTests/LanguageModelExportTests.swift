import Foundation
import Testing
import ToolTestSupport
@testable import DeepLearning
@testable import DLExport
import DLRuntime

/// `dlexport` of a `dltrain --model charlstm` checkpoint, and `dlgen` on the
/// result: the C runtime, one character per run with kept state, produces
/// what the engine does.
@Suite struct LanguageModelExportTests {
    /// A small trained checkpoint (hidden 16, one epoch on a generated text) in a fresh directory.
    static func trainedCheckpoint() throws -> (dir: String, trainer: LanguageModelTrainer) {
        let dir = NSTemporaryDirectory() + "lm-export-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var g = SplitMix64(seed: 3)
        let words = ["to", "be", "or", "not", "that", "is", "the", "question:"]
        var text = ""
        while text.count < 3_000 { text += words[Int(g.next() % 8)] + (g.next() % 6 == 0 ? "\n" : " ") }
        try text.write(toFile: "\(dir)/text.txt", atomically: true, encoding: .utf8)
        var o = TrainingOptions()
        (o.model, o.data, o.epochs, o.batchSize, o.hiddenSize, o.threads) = ("charlstm", "\(dir)/text.txt", 1, 4, 16, 1)
        o.out = "\(dir)/lm.ckpt"
        let trainer = try LanguageModelTrainer(o)
        try trainer.run()
        return (dir, trainer)
    }

    @Test func exportsAVerifiedGenerationModel() throws {
        let (dir, trainer) = try Self.trainedCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let exported = try ModelExporter.export(try Checkpoint.read(from: "\(dir)/lm.ckpt"))
        let vocabulary = trainer.corpus.vocabulary.map { String($0) }
        #expect(exported.summary.parityError <= 1e-4)
        #expect(exported.summary.classes == vocabulary.count)
        let model = try Model(bytes: exported.bytes)
        #expect(model.strings("vocabulary") == vocabulary)
        #expect(model.inputs[0].shape == [1, 1] && model.outputs[0].shape == [1, vocabulary.count])
        #expect(model.string("model.description")?.contains("validation") == true)
        #expect(exported.file.nodes.map(\.op.name) == ["embedding", "lstm", "lstm", "reshape", "dense"])
        #expect(throws: ExportError.self) { try ModelExporter.export(try Checkpoint.read(from: "\(dir)/lm.ckpt"),
                                                                      options: ExportOptions(labels: ["a"])) }
    }

    /// dlgen writes the engine's continuation: greedy, and at temperature
    /// 0.8 with a seed (one sampling rule, `TemperatureSampling`, and one
    /// stream of uniforms): the C runtime's step-by-step logits are the
    /// engine's to within rounding, so every draw picks the same character.
    @Test func dlgenContinuesAsTheEngineDoes() throws {
        let (dir, trainer) = try Self.trainedCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ModelExporter.export(checkpointAt: "\(dir)/lm.ckpt", to: "\(dir)/lm.dlrt")
        let prime = "to be "
        let primeTokens = try trainer.corpus.encode(prime).get()
        for (temperature, seed) in [(0.0, 0), (0.8, 7)] {
            let engine = trainer.corpus.decode(trainer.model.sample(prime: primeTokens, length: 80, temperature: temperature,
                                                                    seed: UInt64(seed)))
            let result = try Tool.run("dlgen", ["lm.dlrt", "--prime", prime, "--length", "80", "--temperature",
                                                "\(temperature)", "--seed", "\(seed)"], in: dir)
            #expect(result.status == 0, "\(result.err)")
            #expect(result.out == prime + engine + "\n", "temperature \(temperature)")
        }
        let unknown = try Tool.run("dlgen", ["lm.dlrt", "--prime", "ROMEO!"], in: dir)
        #expect(unknown.status == 1 && unknown.err.contains("'R', 'O', 'M', 'E', '!'"), "\(unknown.err)")
    }

    /// dlgen --score measures in the C runtime what the engine computes for
    /// the same text as one sequence from a zero state.
    @Test func dlgenScoresATextAsTheEngineDoes() throws {
        let (dir, trainer) = try Self.trainedCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try ModelExporter.export(checkpointAt: "\(dir)/lm.ckpt", to: "\(dir)/lm.dlrt")
        let tokens = Array(trainer.corpus.validation.prefix(200))
        try trainer.corpus.decode(tokens).write(toFile: "\(dir)/valid.txt", atomically: true, encoding: .utf8)
        _ = trainer.model.eval()
        let engine = withNoGrad {
            let logits = trainer.model(tokens: Array(tokens.dropLast()), batch: 1, steps: tokens.count - 1, state: nil).logits
            return Double(crossEntropy(logits: logits.reshaped([tokens.count - 1, trainer.model.vocabularySize]),
                                       labels: Array(tokens.dropFirst())).item())
        }
        let result = try Tool.run("dlgen", ["lm.dlrt", "--score", "valid.txt"], in: dir)
        #expect(result.status == 0, "\(result.err)")
        let printed = result.out.split(separator: " ").dropFirst().first.flatMap { Double($0) }
        #expect(printed.map { abs($0 - engine) < 1e-4 } == true, "dlgen: \(result.out), engine \(engine)")
        #expect(result.out.contains("over 199 predicted characters"))
    }

    /// --int8 for a character model: the LSTM weights stored as int8 per
    /// row (a quarter of their bytes), dequantized at load; the runtime
    /// matches the engine computing with the same rounded weights, and the
    /// text loss moves little.
    @Test func int8WeightsQuarterTheFileAndKeepTheLoss() throws {
        let (dir, trainer) = try Self.trainedCheckpoint()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let checkpoint = try Checkpoint.read(from: "\(dir)/lm.ckpt")
        let fp32 = try ModelExporter.export(checkpoint)
        var options = ExportOptions()
        options.int8RecurrentWeights = true
        let int8 = try ModelExporter.export(checkpoint, options: options)
        #expect(int8.summary.parityError <= 1e-4)
        let lstmWeights = trainer.model.lstm.namedParameters().filter { $0.name.hasPrefix("weight_") }
            .reduce(0) { $0 + $1.parameter.count }
        #expect(fp32.bytes.count - int8.bytes.count >= lstmWeights * 3 - 4096, "\(fp32.bytes.count) -> \(int8.bytes.count)")
        let i8 = int8.file.tensors.filter { $0.dtype == .i8 }.map(\.name).sorted()
        #expect(i8 == ["lstm.weight_hh_l0", "lstm.weight_hh_l1", "lstm.weight_ih_l0", "lstm.weight_ih_l1"])
        try fp32.write(to: "\(dir)/fp32.dlrt")
        try int8.write(to: "\(dir)/int8.dlrt")
        try trainer.corpus.decode(Array(trainer.corpus.validation.prefix(300)))
            .write(toFile: "\(dir)/valid.txt", atomically: true, encoding: .utf8)
        func score(_ file: String) throws -> Double {
            let result = try Tool.run("dlgen", [file, "--score", "valid.txt"], in: dir)
            return Double(result.out.split(separator: " ")[1])!
        }
        let (a, b) = (try score("fp32.dlrt"), try score("int8.dlrt"))
        #expect(abs(a - b) < 0.02 * a, "fp32 \(a), int8 \(b) nats/char")
        let refused = try Tool.run("dlexport", ["lm.ckpt", "--int8", "--calibrate", dir, "-o", "x.dlrt"], in: dir)
        #expect(refused.status != 0 && refused.err.contains("needs no --calibrate"), "\(refused.err)")
    }
}
