#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension Checkpoint {
    /// The file's bytes (docs/CHECKPOINT.md). Deterministic: maps are written
    /// in key order and tensors in state-dict order, so equal checkpoints
    /// give identical bytes. Throws `invalidArgument` for what a reader would
    /// refuse (an empty or over-long name, rank over 8, a negative epoch).
    public func encoded() throws -> [UInt8] {
        try CheckpointFormat.encode(self)
    }

    /// Parses and validates a whole file's bytes: every count and length is
    /// checked against the bytes left before anything is allocated, every
    /// section's CRC-32 is verified. Never traps on hostile input.
    public init(decoding bytes: [UInt8]) throws {
        self = try CheckpointFormat.decode(bytes)
    }

    /// Writes the checkpoint atomically: to a temporary file in the same
    /// directory, fsynced, renamed over `path`, then the directory fsynced.
    /// On any failure the temporary file is removed and whatever was at
    /// `path` before is left as it was.
    public func write(to path: String) throws {
        try CheckpointFile.writeAtomically(try encoded(), to: path)
    }

    /// Reads and validates `path` (see `init(decoding:)`).
    public static func read(from path: String) throws -> Checkpoint {
        try Checkpoint(decoding: CheckpointFile.read(path))
    }
}

/// Whole-file reads and crash-safe writes over POSIX calls.
enum CheckpointFile {
    /// Where `writeAtomically` can be made to fail, for tests.
    enum Stage: Sendable, Equatable {
        /// Creating the temporary file.
        case create
        /// After writing half of the bytes.
        case write
        case fsync
        case rename
    }

    static func read(_ path: String) throws -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path, "open") }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error(path, "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw CheckpointError.io(path: path, operation: "read", errno: EISDIR, message: "not a regular file")
        }
        let size = Int(info.st_size)
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let result = posixRead(fd, buffer.baseAddress! + filled, size - filled)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw error(path, "read")
                }
                if result == 0 { break } // the file shrank while being read: the parser reports the truncation
                filled += result
            }
        }
        if filled < size { bytes.removeSubrange(filled...) }
        return bytes
    }

    /// Writes `bytes` so that `path` is either its old content or entirely
    /// the new one, also across a crash or power loss. `failAt` simulates a
    /// failure (EIO) at that stage, for tests.
    static func writeAtomically(_ bytes: [UInt8], to path: String, failAt: Stage? = nil) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw CheckpointError.invalidArgument("'\(path)' is not a file path")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]).isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let baseName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        func simulated(_ stage: Stage, _ target: String, _ operation: String) throws {
            if failAt == stage {
                throw CheckpointError.io(path: target, operation: operation, errno: EIO, message: "simulated failure")
            }
        }

        // Hidden and unique per writer (mkstemp), so concurrent writers never share one.
        try simulated(.create, path, "create a temporary file next to")
        var template = Array("\(directory)/.\(baseName).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw error(path, "create a temporary file next to") }
        let tempPath = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        var needsClose = true
        defer {
            if needsClose { _ = close(fd) }
            if !committed { _ = unlink(tempPath) }
        }

        guard fchmod(fd, 0o644) == 0 else { throw error(tempPath, "chmod") }
        try bytes.withUnsafeBytes { buffer in
            var written = 0
            let limit = failAt == .write ? buffer.count / 2 : buffer.count
            while written < limit {
                guard let base = buffer.baseAddress else { break }
                let result = posixWrite(fd, base + written, limit - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw error(tempPath, "write")
                }
                written += result
            }
            try simulated(.write, tempPath, "write")
        }
        try simulated(.fsync, tempPath, "fsync")
        guard fsync(fd) == 0 else { throw error(tempPath, "fsync") }
        needsClose = false
        guard close(fd) == 0 else { throw error(tempPath, "close") }
        try simulated(.rename, path, "rename into place")
        guard rename(tempPath, path) == 0 else { throw error(path, "rename into place") }
        committed = true

        // The new file is complete and in place; this makes the rename itself durable.
        let directoryFD = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            _ = close(directoryFD)
        }
    }

    static func error(_ path: String, _ operation: String) -> CheckpointError {
        let code = errno
        let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return .io(path: path, operation: operation, errno: code, message: message)
    }
}

private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
