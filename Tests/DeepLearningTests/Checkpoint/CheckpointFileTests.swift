#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import DeepLearning

/// Writing is atomic: a failure at any stage leaves the previous checkpoint byte-identical and no temp file.
@Suite struct CheckpointFileTests {
    typealias F = CheckpointFixtures

    @Test func writeThenRead() throws {
        let directory = try F.makeTempDirectory()
        defer { F.remove(directory) }
        let path = directory + "/model.ckpt"
        try F.sample().write(to: path)
        #expect(try Checkpoint.read(from: path) == F.sample())
        #expect(F.contents(path) == (try F.sample().encoded()))
        #expect(F.list(directory) == ["model.ckpt"])
        // Overwriting replaces it.
        try F.minimal().write(to: path)
        #expect(try Checkpoint.read(from: path) == F.minimal())
        #expect(F.list(directory) == ["model.ckpt"])
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
    }

    @Test(arguments: [CheckpointFile.Stage.create, .write, .fsync, .rename])
    func failureLeavesThePreviousCheckpoint(stage: CheckpointFile.Stage) throws {
        let directory = try F.makeTempDirectory()
        defer { F.remove(directory) }
        let path = directory + "/model.ckpt"
        try F.minimal().write(to: path)
        let before = try #require(F.contents(path))
        #expect(throws: CheckpointError.self) {
            try CheckpointFile.writeAtomically(try F.sample().encoded(), to: path, failAt: stage)
        }
        #expect(F.contents(path) == before)
        #expect(F.list(directory) == ["model.ckpt"], "no temporary file is left behind")
        #expect(try Checkpoint.read(from: path) == F.minimal())
    }

    /// A writer killed mid-write (SIGKILL) leaves its temporary file; the next
    /// write of the same checkpoint removes it once that writer's pid is gone,
    /// and leaves a live writer's file and unrelated names alone.
    @Test func aLaterWriteRemovesAKilledWritersTemporaryFile() throws {
        let directory = try F.makeTempDirectory()
        defer { F.remove(directory) }
        let orphan = ".model.ckpt.tmp-\(Int32.max)-a1b2c3"  // no process has pid 2^31-1
        let live = ".model.ckpt.tmp-\(getppid())-d4e5f6"
        let unrelated = [".model.ckpt.tmp-x1y2z3", ".other.ckpt.tmp-\(Int32.max)-a1b2c3", "model.ckpt.tmp-\(Int32.max)-q"]
        for name in [orphan, live] + unrelated {
            #expect(FileManager.default.createFile(atPath: "\(directory)/\(name)", contents: Data([1, 2, 3])))
        }
        try F.sample().write(to: directory + "/model.ckpt")
        #expect(F.list(directory) == ([live, "model.ckpt"] + unrelated).sorted())
        #expect(try Checkpoint.read(from: directory + "/model.ckpt") == F.sample())
    }

    @Test func realFailures() throws {
        let directory = try F.makeTempDirectory()
        defer { F.remove(directory) }
        // A missing directory.
        do {
            try F.sample().write(to: directory + "/missing/model.ckpt")
            Issue.record("writing into a missing directory succeeded")
        } catch let error as CheckpointError {
            guard case .io(path: directory + "/missing/model.ckpt", operation: "create a temporary file next to", errno: ENOENT, _) = error else {
                Issue.record("\(error)")
                return
            }
        }
        #expect(F.list(directory).isEmpty)
        // The target is a directory: the rename fails and the temp file goes.
        try FileManager.default.createDirectory(atPath: directory + "/model.ckpt", withIntermediateDirectories: false)
        #expect(throws: CheckpointError.self) { try F.sample().write(to: directory + "/model.ckpt") }
        #expect(F.list(directory) == ["model.ckpt"] && FileIOProbe.isDirectory(directory + "/model.ckpt"))
        #expect(throws: CheckpointError.self) { try Checkpoint.read(from: directory + "/model.ckpt") }
        #expect(throws: CheckpointError.self) { try Checkpoint.read(from: directory + "/absent.ckpt") }
        #expect(throws: CheckpointError.self) { try F.sample().write(to: directory + "/") }
        // An unwritable directory (root ignores permissions, so only checked as a normal user).
        if geteuid() != 0 {
            let locked = directory + "/locked"
            try FileManager.default.createDirectory(atPath: locked, withIntermediateDirectories: false)
            try F.minimal().write(to: locked + "/model.ckpt")
            let before = F.contents(locked + "/model.ckpt")
            chmod(locked, 0o555)
            #expect(throws: CheckpointError.self) { try F.sample().write(to: locked + "/model.ckpt") }
            chmod(locked, 0o755)
            #expect(F.contents(locked + "/model.ckpt") == before && F.list(locked) == ["model.ckpt"])
        }
    }
}

enum FileIOProbe {
    static func isDirectory(_ path: String) -> Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
    }
}
