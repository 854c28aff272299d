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

    /// Starts dltrain in `directory`, its output discarded.
    static func launch(_ arguments: [String], in directory: String) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(Tool.path("dltrain")))
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// Starts dltrain, kills it with SIGKILL after `delay` seconds (if it is still running).
    static func killedRun(_ arguments: [String], in directory: String, after delay: Double) throws {
        let process = try launch(arguments, in: directory)
        Thread.sleep(forTimeInterval: delay)
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Starts dltrain and kills it with SIGKILL the moment its `write`-th
    /// checkpoint write has begun: as soon as the writer's temporary file
    /// (`.<name>.tmp-<pid>-XXXXXX`, docs/CHECKPOINT.md) appears in `directory`.
    /// Returns whether the process died inside a write: whether it left a
    /// temporary file behind (none when the rename had happened). An epoch of
    /// this run takes milliseconds, so the signal may land in a later write.
    static func killedDuringWrite(_ arguments: [String], out: String, in directory: String, write: Int) throws -> Bool {
        let prefix = ".\(out).tmp-"
        var seen = Set<String>()
        let process = try launch(arguments, in: directory)
        while process.isRunning {
            for name in temporaryFiles(in: directory, prefix: prefix) where seen.insert(name).inserted {
                if seen.count == write { kill(process.processIdentifier, SIGKILL) }
            }
            usleep(50)
        }
        process.waitUntilExit()
        return !temporaryFiles(in: directory, prefix: prefix).isEmpty
    }

    /// Names in `directory` that start with `prefix`, read with readdir: a
    /// poll must be far shorter than one checkpoint write.
    static func temporaryFiles(in directory: String, prefix: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) }
            if name.hasPrefix(prefix) { names.append(name) }
        }
        return names
    }

    /// Runs the reference (uninterrupted) training once; returns its weights
    /// and how long it took.
    static func reference(in dir: String) throws -> (weights: [String: [UInt32]], seconds: Double) {
        let start = Date()
        let reference = try Fixture.run(Self.arguments(dir, out: "reference.ckpt"), in: dir)
        let seconds = Date().timeIntervalSince(start)
        #expect(reference.status == 0, "\(reference.err)")
        return (Fixture.weightBits(try Checkpoint.read(from: "\(dir)/reference.ckpt").model), seconds)
    }

    /// Loads what the killed run left at `out` (it must load), resumes it (or
    /// starts afresh when nothing survived) and compares the final weights.
    /// Returns the surviving checkpoint's epoch, or nil when none survived.
    @discardableResult
    static func resumeAndCompare(_ out: String, in dir: String, expected: [String: [UInt32]], trial: String) throws -> Int? {
        var arguments = Self.arguments(dir, out: out)
        var survivingEpoch: Int?
        if FileManager.default.fileExists(atPath: "\(dir)/\(out)") {
            let survivor = try Checkpoint.read(from: "\(dir)/\(out)")
            #expect(survivor.epoch >= 1 && survivor.epoch <= epochs)
            survivingEpoch = survivor.epoch
            arguments.append("--resume")
        }
        let finished = try Fixture.run(arguments, in: dir)
        #expect(finished.status == 0, "\(trial): \(finished.err)")
        let weights = Fixture.weightBits(try Checkpoint.read(from: "\(dir)/\(out)").model)
        #expect(weights == expected, "\(trial) ended with other weights")
        return survivingEpoch
    }

    @Test func sigkillAtRandomMomentsLosesNothing() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir)
        let (expected, duration) = try Self.reference(in: dir)

        var g = SplitMix64(seed: 8)
        var killedWithCheckpoint = 0
        for trial in 0..<6 {
            let out = "trial\(trial).ckpt"
            // Anywhere from start-up to the end of the run.
            let delay = duration * Double(g.next() % 1000) / 1000
            try Self.killedRun(Self.arguments(dir, out: out), in: dir, after: delay)
            let epoch = try Self.resumeAndCompare(out, in: dir, expected: expected,
                                                  trial: "trial \(trial) (killed after \(delay) s)")
            if epoch != nil { killedWithCheckpoint += 1 }
        }
        // The trials must have exercised resuming, not only restarts from nothing.
        #expect(killedWithCheckpoint >= 2, "only \(killedWithCheckpoint) of 6 kills left a checkpoint")
    }

    /// Kills during a checkpoint write, at a seeded random epoch's write in
    /// each trial: what survives (the checkpoint before the interrupted
    /// write, or a later one when the signal lands late) must load and resume
    /// to the uninterrupted weights.
    @Test func sigkillDuringCheckpointWritesLosesNothing() throws {
        let dir = try Fixture.makeDirectory()
        defer { Fixture.remove(dir) }
        try Fixture.writeMNIST(to: dir)
        let (expected, _) = try Self.reference(in: dir)

        var g = SplitMix64(seed: 9)
        var diedMidWrite = 0
        let trials = 10
        for trial in 0..<trials {
            let out = "write\(trial).ckpt"
            let write = 1 + Int(g.next() % UInt64(Self.epochs - 1))
            let midWrite = try Self.killedDuringWrite(Self.arguments(dir, out: out), out: out, in: dir, write: write)
            if midWrite { diedMidWrite += 1 }
            let epoch = try Self.resumeAndCompare(out, in: dir, expected: expected,
                                                  trial: "trial \(trial) (killed in write \(write))")
            // Killed no earlier than inside write `write` (epoch `write`'s checkpoint): at least the one before survives.
            #expect((epoch ?? 0) >= write - 1, "trial \(trial): killed in write \(write), epoch \(epoch ?? 0) survived")
            // The resumed run's own checkpoint writes remove the killed writer's temporary file.
            #expect(Self.temporaryFiles(in: dir, prefix: ".\(out).tmp-").isEmpty, "trial \(trial): a temporary file is left")
        }
        // Most kills must land before the rename, or the test is not testing writes.
        #expect(diedMidWrite >= trials / 2, "only \(diedMidWrite) of \(trials) kills landed inside a write")
    }
}
