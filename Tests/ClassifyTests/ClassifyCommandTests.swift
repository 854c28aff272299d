import DLSupport
import Foundation
import Testing
import ToolTestSupport

/// The built `classify` binary: output lines, JSON, accuracy, exit codes.
@Suite struct ClassifyCommandTests {
    /// dir/model.dlrt and dir/set/{red,green,blue}/*.png (two of each, one blue image drawn too green).
    static func fixture() throws -> TemporaryDirectory {
        let dir = try TemporaryDirectory()
        try dir.write(try ColourModel.bytes(), to: "model.dlrt")
        let images: [(String, UInt8, UInt8, UInt8)] = [
            ("set/red/1.png", 240, 20, 20), ("set/red/2.png", 200, 90, 40), ("set/green/1.png", 10, 220, 30),
            ("set/green/2.png", 60, 160, 20), ("set/blue/1.png", 20, 20, 230), ("set/blue/2.png", 20, 200, 150),
        ]
        for (name, r, g, b) in images { try dir.write(try ColourModel.solid(r, g, b).pngData(), to: name) }
        return dir
    }

    @Test func classifiesADirectoryWithAccuracy() throws {
        let dir = try Self.fixture()
        defer { dir.remove() }
        let result = try Tool.run("classify", ["--model", "model.dlrt", "--top", "2", "--batch", "4", "--accuracy", "set"],
                                  in: dir.path)
        #expect(result.status == 0, "\(result.err)")
        let lines = result.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 7)
        #expect(lines.first == "set/blue/1.png: blue 100.0%, red 0.0%")  // red and green tie: the lower index first
        #expect(lines[1].hasPrefix("set/blue/2.png: green "))
        #expect(lines.last == "accuracy: top-1 83.33% (5 of 6), top-2 100.00%")
        #expect(result.err.contains("classified 6 of 6 images"))
    }

    @Test func jsonOutput() throws {
        let dir = try Self.fixture()
        defer { dir.remove() }
        let result = try Tool.run("classify", ["--model", "model.dlrt", "--json", "--top", "1", "set/red/1.png", "nope.png"],
                                  in: dir.path)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.out.utf8)) as? [String: Any])
        let results = try #require(object["results"] as? [[String: Any]])
        #expect(results.count == 1)
        let top = try #require(results[0]["top"] as? [[String: Any]])
        #expect(top.first?["label"] as? String == "red" && top.first?["index"] as? Int == 0)
        #expect(result.err.contains("classify: error: nope.png: no such file or directory"))
    }

    @Test func failingInputsGiveExitOneAndTheOthersAnswers() throws {
        let dir = try Self.fixture()
        defer { dir.remove() }
        try dir.write(Array("GIF89a".utf8), to: "fake.png")
        let result = try Tool.run("classify", ["--model", "model.dlrt", "fake.png", "set/green/1.png"], in: dir.path)
        #expect(result.status == 1)
        #expect(result.out.hasPrefix("set/green/1.png: green "))
        #expect(result.err.contains("classify: error: fake.png: "))
    }

    @Test func badModelAndBadFlags() throws {
        let dir = try Self.fixture()
        defer { dir.remove() }
        try dir.write(Array(try ColourModel.bytes().prefix(100)), to: "truncated.dlrt")
        let truncated = try Tool.run("classify", ["--model", "truncated.dlrt", "set"], in: dir.path)
        #expect(truncated.status == 1 && truncated.out.isEmpty)
        #expect(truncated.err.contains("cannot load model 'truncated.dlrt'"))
        for flags in [["--top", "0", "set"], ["--batch", "-1", "set"], ["--threads", "0", "set"], [], ["--bogus", "set"],
                      ["--fp32", "set"]] {
            let result = try Tool.run("classify", ["--model", "model.dlrt"] + flags, in: dir.path)
            #expect(result.status == 64, "\(flags): \(result.status) \(result.err)")
            #expect(!result.err.isEmpty && result.out.isEmpty)
        }
    }
}
