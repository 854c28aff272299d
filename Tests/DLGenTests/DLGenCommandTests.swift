import Foundation
import Testing
import ToolTestSupport
@testable import DLGen

/// The built `dlgen` executable: its output is the library's text, and each
/// refusal exits non-zero with a message naming the problem.
@Suite struct DLGenCommandTests {
    @Test func printsThePrimeAndTheSameTextForTheSameSeed() throws {
        let dir = try CharModelFixture.makeDirectory()
        defer { CharModelFixture.remove(dir) }
        let model = try CharModelFixture().write(to: dir + "/char.dlrt")
        let arguments = [model, "--prime", "ROMEO:", "--length", "120", "--temperature", "0.8", "--seed", "5"]
        let first = try Tool.run("dlgen", arguments, in: dir)
        #expect(first.status == 0, "\(first.err)")
        var request = GenerationRequest(modelPath: model)
        request.prime = "ROMEO:"
        request.length = 120
        request.seed = 5
        #expect(first.out == (try TextGenerator.run(request)) + "\n")
        let again = try Tool.run("dlgen", arguments + ["--threads", "2"], in: dir)
        #expect(again.status == 0 && again.out == first.out)
        let other = try Tool.run("dlgen", [model, "--prime", "ROMEO:", "--length", "120", "--seed", "6"], in: dir)
        #expect(other.status == 0 && other.out.hasPrefix("ROMEO:") && other.out != first.out)
    }

    @Test func refusalsNameTheProblem() throws {
        let dir = try CharModelFixture.makeDirectory()
        defer { CharModelFixture.remove(dir) }
        let model = try CharModelFixture().write(to: dir + "/char.dlrt")
        var fixture = CharModelFixture()
        fixture.writesVocabulary = false
        let unlabelled = try fixture.write(to: dir + "/unlabelled.dlrt")
        fixture = CharModelFixture()
        fixture.logitCount = 11
        let mismatched = try fixture.write(to: dir + "/mismatched.dlrt")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: model))
        bytes[bytes.count / 2] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: dir + "/corrupt.dlrt"))

        for (arguments, status, message) in [
            ([dir + "/absent.dlrt"], Int32(1), "cannot load '\(dir)/absent.dlrt'"),
            ([dir + "/corrupt.dlrt"], 1, "cannot load '\(dir)/corrupt.dlrt'"),
            ([unlabelled], 1, "it has no metadata 'vocabulary'"),
            ([mismatched], 1, "its vocabulary has 10 characters but its logits have 11"),
            ([model, "--prime", "ROMZ!O:Z"], 1, "characters outside the vocabulary of '\(model)': 'Z', '!'"),
            ([model, "--temperature=-1"], 64, "the temperature must be finite and >= 0, got -1.0"),
            ([model, "--temperature", "nan"], 64, "the temperature must be finite and >= 0, got nan"),
            ([model, "--temperature", "inf"], 64, "the temperature must be finite and >= 0, got inf"),
            ([model, "--length=-1"], 64, "the length must be >= 0, got -1"),
            ([model, "--threads", "0"], 64, "threads must be >= 1, got 0"),
        ] {
            let result = try Tool.run("dlgen", arguments, in: dir)
            #expect(result.status == status && result.err.contains(message) && result.out.isEmpty,
                    "\(arguments): \(result.status) \(result.err)")
        }
    }
}
