#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Testing
@testable import DLExport

/// `write(to:)` either puts the complete file in place or leaves nothing.
@Suite struct AtomicWriteTests {
    /// A fresh empty directory under /tmp, removed (with its contents) by `cleanup`.
    static func makeDirectory() throws -> String {
        var template = Array("/tmp/dlexport-test-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        try #require(made != nil)
        return String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func entries(_ directory: String) -> [String] {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    static func readFile(_ path: String) -> [UInt8]? {
        guard let file = fopen(path, "rb") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return bytes
    }

    static func cleanup(_ directory: String) {
        for name in entries(directory) {
            let path = "\(directory)/\(name)"
            if rmdir(path) != 0 { unlink(path) }
        }
        rmdir(directory)
    }

    @Test func writesExactBytesAndNoTemporaryFiles() throws {
        let directory = try Self.makeDirectory()
        defer { Self.cleanup(directory) }
        let path = "\(directory)/model.dlrt"
        let bytes = try LayoutTests.tinyModel()
        var b = GraphBuilder()
        b.setMetadata(.string("t"), for: .modelName)
        let x = try b.input(name: "x", shape: [1, 2])
        let w = try b.constant(name: "w", shape: [1, 2], values: [1, 2])
        try b.output(try b.dense(x, weight: w, name: "y"))
        try b.write(to: path)
        #expect(Self.readFile(path) == bytes)
        #expect(Self.entries(directory) == ["model.dlrt"])
        // Overwriting replaces the file whole.
        try b.write(to: path)
        #expect(Self.readFile(path) == bytes)
        #expect(Self.entries(directory) == ["model.dlrt"])
    }

    @Test func missingDirectoryThrowsAndLeavesNothing() throws {
        let directory = try Self.makeDirectory()
        defer { Self.cleanup(directory) }
        let path = "\(directory)/absent/model.dlrt"
        #expect(throws: ExportError.self) { try GraphBuilder().write(to: path) }
        #expect(Self.entries(directory).isEmpty)
    }

    /// The temporary file is created, then the rename fails (the target is a
    /// non-empty directory): the temporary file must be removed.
    @Test func failedRenameRemovesTemporaryFile() throws {
        let directory = try Self.makeDirectory()
        defer {
            Self.cleanup("\(directory)/model.dlrt")
            Self.cleanup(directory)
        }
        let target = "\(directory)/model.dlrt"
        try #require(mkdir(target, 0o755) == 0)
        try #require(mkdir("\(target)/keep", 0o755) == 0)
        do {
            try GraphBuilder().write(to: target)
            Issue.record("expected the rename to fail")
        } catch let error as ExportError {
            guard case .io(_, let operation, _, _) = error else { Issue.record("wrong case: \(error)"); return }
            #expect(operation.contains("rename"))
        }
        #expect(Self.entries(directory) == ["model.dlrt"])
        #expect(Self.entries(target) == ["keep"])
    }

    /// An unwritable directory. Root ignores permission bits, so there the
    /// check is skipped (the two tests above cover the cleanup paths).
    @Test func unwritableDirectoryThrowsAndLeavesNothing() throws {
        guard geteuid() != 0 else { return }
        let directory = try Self.makeDirectory()
        defer {
            chmod(directory, 0o755)
            Self.cleanup(directory)
        }
        try #require(chmod(directory, 0o555) == 0)
        #expect(throws: ExportError.self) { try GraphBuilder().write(to: "\(directory)/model.dlrt") }
        #expect(Self.entries(directory).isEmpty)
    }
}
