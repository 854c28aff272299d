import Foundation
import Testing
import ToolTestSupport
@testable import DeepLearning

/// `dltrain --model charlstm` on a small generated text: it learns, it
/// resumes bit-exactly, it prints samples, and it refuses unusable text.
@Suite struct CharLSTMTrainingTests {
    /// Sentences from a tiny grammar: learnable structure (spelling, word
    /// order) with real uncertainty between words. About 6,000 characters.
    @discardableResult
    static func writeText(to path: String) throws -> String {
        var g = SplitMix64(seed: 5)
        let (subjects, verbs, objects) = (["the cat", "a dog", "my bird"], ["sees", "likes", "chases"], ["the sun", "a ball", "her hat"])
        var text = ""
        while text.count < 6_000 {
            text += "\(subjects[Int(g.next() % 3)]) \(verbs[Int(g.next() % 3)]) \(objects[Int(g.next() % 3)]).\n"
        }
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return text
    }

    /// The entropy of the text's character frequencies, in nats: what the
    /// best guess that ignores context costs per character.
    static func unigramEntropy(_ text: String) -> Double {
        var counts: [Unicode.Scalar: Double] = [:]
        for scalar in text.unicodeScalars { counts[scalar, default: 0] += 1 }
        let n = Double(text.unicodeScalars.count)
        return -counts.values.reduce(0) { $0 + $1 / n * Foundation.log($1 / n) }
    }

    static func options(_ dir: String, epochs: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.model = "charlstm"
        o.data = "\(dir)/text.txt"
        o.epochs = epochs
        o.batchSize = 4
        o.learningRate = 1e-2
        o.hiddenSize = 32
        o.threads = 2
        o.out = "\(dir)/lm.ckpt"
        return o
    }

    @Test func learnsTheTextAndResumesBitExactly() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        let text = try Self.writeText(to: "\(dir)/text.txt")
        let trainer = try LanguageModelTrainer(Self.options(dir, epochs: 4))
        let n = text.unicodeScalars.count
        #expect(trainer.corpus.vocabulary.count == Set(text.unicodeScalars).count)
        #expect(trainer.corpus.train.count == Int((Double(n) * 0.9).rounded()) && trainer.corpus.train.count + trainer.corpus.validation.count == n)
        try trainer.run()
        let losses = trainer.metrics.compactMap(\.testLoss)
        // It must beat the best guess without context by a clear margin.
        let baseline = Self.unigramEntropy(text)
        #expect(losses.count == 4 && losses[3] < losses[0] && losses[3] < baseline - 0.5, "\(losses), unigram \(baseline)")
        #expect(trainer.lastSample.count > LanguageModelTrainer.sampleLength)

        // Two epochs, then a resumed third: the same weights, bit for bit.
        try FileManager.default.removeItem(atPath: "\(dir)/lm.ckpt")
        var first = Self.options(dir, epochs: 4)
        first.stopAfter = 2
        try LanguageModelTrainer(first).run()
        var resumed = Self.options(dir, epochs: 4)
        resumed.resume = true
        let second = try LanguageModelTrainer(resumed)
        #expect(second.epoch == 2)
        try second.run()
        #expect(Fixture.weightBits(second.model.stateDict()) == Fixture.weightBits(trainer.model.stateDict()))
    }

    @Test func printsLossesPerplexityAndSamples() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Self.writeText(to: "\(dir)/text.txt")
        let text = try Self.writeText(to: "\(dir)/text.txt")
        let result = try Fixture.run(["--model", "charlstm", "--data", "text.txt", "--epochs", "1", "--batch-size", "4",
                                      "--hidden-size", "16", "--out", "lm.ckpt", "--progress", "none"], in: dir)
        #expect(result.status == 0, "\(result.err)")
        let n = text.unicodeScalars.count, train = Int((Double(n) * 0.9).rounded())
        #expect(result.out.contains("\(Set(text.unicodeScalars).count) distinct characters, \(train) train, \(n - train) validation (90/10)"))
        #expect(result.out.range(of: #"epoch 1/1  train [0-9.]+  val [0-9.]+ nats/char \(perplexity [0-9.]+\)"#,
                                 options: .regularExpression) != nil, "\(result.out)")
        #expect(result.out.contains("sample (temperature 0.8):"))
    }

    @Test func refusesUnusableTextAndForeignFlags() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        let line = "to be or not to be\n"  // 19 characters
        let cases: [(Data, String)] = [
            (Data(), "the file is empty"),
            (Data([0x7F, 0x45, 0x4C, 0x46, 0, 1, 2]), "control character"),
            (Data(String(repeating: line, count: 30).utf8), "its validation split (57) is shorter than one sequence of 101 characters"),
            // 1,140 characters: validation 114 holds a sequence, 1,026 training ones are fewer than 16 x 101.
            (Data(String(repeating: line, count: 60).utf8), "shorter than one chunk of 101 characters for each of the 16 streams"),
        ]
        for (bytes, expected) in cases {
            try bytes.write(to: URL(fileURLWithPath: "\(dir)/text.txt"))
            let result = try Fixture.run(["--model", "charlstm", "--data", "text.txt", "--batch-size", "16", "--out", "lm.ckpt"], in: dir)
            #expect(result.status == 1 && result.err.contains(expected), "\(result.err)")
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/lm.ckpt"))
        }
        let foreign = try Fixture.run(["--model", "mlp", "--data", dir, "--hidden-size", "8"], in: dir)
        #expect(foreign.status == 2 && foreign.err.contains("--hidden-size is for charlstm"), "\(foreign.err)")
    }
}
