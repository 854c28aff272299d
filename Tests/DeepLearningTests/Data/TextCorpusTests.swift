import Foundation
import Testing
@testable import DeepLearning

/// The character corpus behind `dltrain --model charlstm`: vocabulary, the
/// in-order 90/10 split, the streams of truncated BPTT, and every refusal.
@Suite struct TextCorpusTests {
    static func write(_ bytes: [UInt8]) throws -> String {
        let path = NSTemporaryDirectory() + "corpus-" + UUID().uuidString + ".txt"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }

    static func message(_ body: () throws -> Void) -> String {
        do { try body() } catch { return "\(error)" }
        return "no error"
    }

    @Test func vocabularyIsTheSortedScalarsAndTheSplitKeepsOrder() throws {
        let text = String(repeating: "héllo wörld\r\n", count: 10)  // 130 scalars; "\r\n" stays two tokens
        let path = try Self.write(Array(text.utf8))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let corpus = try TextCorpus.load(path)
        let scalars = Array(text.unicodeScalars)
        #expect(corpus.vocabulary == Array(Set(scalars)).sorted { $0.value < $1.value })
        #expect(corpus.train.count == 117 && corpus.validation.count == 13)
        #expect(corpus.decode(corpus.train + corpus.validation) == text)
        #expect(corpus.encode("héllo") == .success(Array(corpus.train[0..<5])))
        #expect(corpus.encode("hZllo!Z") == .failure(UnknownCharacters(characters: ["Z", "!"])))
        #expect(UnknownCharacters(characters: ["Z", "!"]).description == "'Z', '!'")
    }

    @Test func refusesWhatIsNotUsableText() throws {
        let missing = NSTemporaryDirectory() + "no-such-corpus.txt"
        #expect(Self.message { _ = try TextCorpus.load(missing) }.contains("no such text file"))
        #expect(Self.message { _ = try TextCorpus.load(NSTemporaryDirectory()) }.contains("is a directory"))
        let cases: [([UInt8], String)] = [
            ([], "the file is empty"),
            (Array("some text".utf8) + [0, 1, 2] + Array("more".utf8), "control character U+0000 near byte 9"),
            (Array("caf".utf8) + [0xC3, 0x28], "not UTF-8 text: invalid byte sequence near byte 3"),
            (Array("short".utf8), "shorter than one sequence of 101 characters"),
        ]
        for (bytes, expected) in cases {
            let path = try Self.write(bytes)
            defer { try? FileManager.default.removeItem(atPath: path) }
            let text = Self.message { _ = try TextCorpus.load(path, minimumLength: 101) }
            #expect(text.contains(expected) && text.contains(path), "\(text)")
        }
    }

    @Test func streamsContinueFromChunkToChunk() throws {
        let tokens = Array(0..<103)
        let streams = try #require(TextStreams(tokens, batch: 3, steps: 10))
        #expect(streams.streamLength == 34 && streams.chunkCount == 3)
        let (first, second) = (streams.chunk(0), streams.chunk(1))
        #expect(Array(first.inputs[10..<20]) == Array(34..<44))    // row 1 starts at stream 1
        #expect(Array(first.targets[0..<10]) == Array(1..<11))     // shifted by one
        #expect(Array(second.inputs[0..<10]) == Array(10..<20))    // and continues in the next chunk
        #expect(TextStreams(tokens, batch: 11, steps: 10) == nil)  // 9 per stream < one chunk
    }
}
