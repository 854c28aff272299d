import Foundation
import Testing
import ToolTestSupport
@testable import DeepLearning

/// Crash-safety of training state (issue #8): `dltrain` killed with SIGKILL
/// at random moments — before its first checkpoint, mid-epoch, or while a
/// checkpoint is being written — always leaves a checkpoint that loads (or
/// none), and `--resume` finishes with weights bit-identical to a run that
/// was never interrupted.
@Suite struct CrashSafetyTests {
    static let epochs = 15

    static func arguments(_ data: String, out: String) -> [String] {
        ["--model", "mlp", "--data", data, "--epochs", "\(epochs)", "--batch-size", "16", "--threads", "1",
         "--out", out, "--progress", "none"]
    }

    /// Starts dltrain, kills it with SIGKILL after `delay` seconds (if it is still running).
    static func killedRun(_ arguments: [String], in directory: String, after delay: Double) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Tool.path("dltrain")))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    @Test func sigkillAtRandomMomentsLosesNothing() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir)

        let start = Date()
        let reference = try Fixture.run(Self.arguments(dir, out: "reference.ckpt"), in: dir)
        let duration = Date().timeIntervalSince(start)
        #expect(reference.status == 0, "\(reference.err)")
        let expected = Fixture.weightBits(try Checkpoint.read(from: "\(dir)/reference.ckpt").model)

        var g = SplitMix64(seed: 8)
        var killedWithCheckpoint = 0
        for trial in 0..<6 {
            let out = "trial\(trial).ckpt"
            // Anywhere from start-up to the end of the run.
            let delay = duration * Double(g.next() % 1000) / 1000
            try Self.killedRun(Self.arguments(dir, out: out), in: dir, after: delay)
            var arguments = Self.arguments(dir, out: out)
            if FileManager.default.fileExists(atPath: "\(dir)/\(out)") {
                let survivor = try Checkpoint.read(from: "\(dir)/\(out)")  // must load
                #expect(survivor.epoch >= 1 && survivor.epoch <= Self.epochs)
                killedWithCheckpoint += 1
                arguments.append("--resume")
            }
            let finished = try Fixture.run(arguments, in: dir)
            #expect(finished.status == 0, "trial \(trial) (killed after \(delay) s): \(finished.err)")
            let weights = Fixture.weightBits(try Checkpoint.read(from: "\(dir)/\(out)").model)
            #expect(weights == expected, "trial \(trial) (killed after \(delay) s) ended with other weights")
        }
        // The trials must have exercised resuming, not only restarts from nothing.
        #expect(killedWithCheckpoint >= 2, "only \(killedWithCheckpoint) of 6 kills left a checkpoint")
    }
}
