#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and crash-safe writes over POSIX calls (no Foundation).
///
/// The one implementation behind every file dlrt writes: models (DLExport),
/// images (DLImage) and checkpoints (DeepLearning). Each caller maps
/// `FileIOError` into its own error type.
public enum FileIO {
    /// Where `writeAtomically` can be made to fail, for tests of callers' crash safety.
    public enum Stage: Sendable, Equatable {
        /// Creating the temporary file.
        case create
        /// After writing half of the bytes.
        case write
        case fsync
        case rename
    }

    /// Reads a regular file into memory, refusing files over `maxBytes`.
    public static func read(_ path: String, maxBytes: Int = 1 << 30) throws(FileIOError) -> [UInt8] {
        let fd = posixOpen(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path, "open") }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error(path, "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw FileIOError(path: path, operation: "read", errno: EISDIR, message: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw FileIOError(path: path, operation: "read", errno: EFBIG,
                              message: "file is \(size) bytes, over the cap of \(maxBytes)")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        var failure: FileIOError?
        bytes.withUnsafeMutableBytes { buffer in
            while filled < size, let base = buffer.baseAddress {
                let result = posixRead(fd, base + filled, size - filled)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = error(path, "read")
                    return
                }
                if result == 0 { break } // the file shrank while being read: parsers report the truncation
                filled += result
            }
        }
        if let failure { throw failure }
        if filled < size { bytes.removeSubrange(filled...) }
        return bytes
    }

    /// Writes `bytes` so that `path` holds either its old content or all of
    /// the new one, also across a crash or power loss: a temporary file in the
    /// same directory (so the rename is atomic), fsync, rename over `path`,
    /// fsync the directory. On any failure the temporary file is removed.
    /// With `removingOrphans` it first removes the temporary files that killed
    /// writers of `path` left (`removeOrphanedTemporaries`), at the cost of
    /// listing the directory. `failAt` simulates a failure (EIO) at that stage, for tests.
    public static func writeAtomically(_ bytes: [UInt8], to path: String, removingOrphans: Bool = true,
                                       failAt: Stage? = nil) throws(FileIOError) {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw FileIOError(path: path, operation: "write", errno: EINVAL, message: "not a file path")
        }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[..<$0]).isEmpty ? "/" : String(path[..<$0]) } ?? "."
        let baseName = slash.map { String(path[path.index(after: $0)...]) } ?? path
        func simulated(_ stage: Stage, _ target: String, _ operation: String) throws(FileIOError) {
            if failAt == stage {
                throw FileIOError(path: target, operation: operation, errno: EIO, message: "simulated failure")
            }
        }

        // Hidden and unique per writer (mkstemp), so concurrent writers never share one.
        // The writer's pid in the name lets a later write remove what a killed one left.
        try simulated(.create, path, "create a temporary file next to")
        if removingOrphans { removeOrphanedTemporaries(in: directory, baseName: baseName) }
        var template = Array("\(directory)/.\(baseName).tmp-\(getpid())-XXXXXX".utf8CString)
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

        // mkstemp creates 0600; models and images are meant to be read by other users.
        guard fchmod(fd, 0o644) == 0 else { throw error(tempPath, "chmod") }
        var failure: FileIOError?
        bytes.withUnsafeBytes { buffer in
            var written = 0
            let limit = failAt == .write ? buffer.count / 2 : buffer.count
            while written < limit, let base = buffer.baseAddress {
                let result = posixWrite(fd, base + written, limit - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    failure = error(tempPath, "write")
                    return
                }
                written += result
            }
        }
        if let failure { throw failure }
        try simulated(.write, tempPath, "write")
        try simulated(.fsync, tempPath, "fsync")
        guard fsync(fd) == 0 else { throw error(tempPath, "fsync") }
        needsClose = false
        guard close(fd) == 0 else { throw error(tempPath, "close") }
        try simulated(.rename, path, "rename into place")
        guard rename(tempPath, path) == 0 else { throw error(path, "rename into place") }
        committed = true

        // The new file is complete and in place; this makes the rename itself durable.
        let directoryFD = posixOpen(directory, O_RDONLY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            _ = close(directoryFD)
        }
    }

    /// Removes the temporary files `writeAtomically` left for `baseName` when
    /// its process was killed mid-write (SIGKILL, power loss): those whose
    /// writer's pid no longer exists on this host. A live writer's file, this
    /// process's own and names in any other form are left alone.
    static func removeOrphanedTemporaries(in directory: String, baseName: String) {
        let prefix = ".\(baseName).tmp-"
        guard let names = try? list(directory) else { return }
        for name in names where name.hasPrefix(prefix) {
            let rest = name.dropFirst(prefix.count)
            guard let dash = rest.firstIndex(of: "-"), let pid = Int32(rest[..<dash]), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH { _ = unlink("\(directory)/\(name)") }
        }
    }

    /// The names in a directory (no "." or ".."), unsorted.
    public static func list(_ path: String) throws(FileIOError) -> [String] {
        guard let dir = opendir(path) else { throw error(path, "open directory") }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) { pointer in
                pointer.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Whether `path` is a directory (following symlinks).
    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Whether anything exists at `path`.
    public static func exists(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0
    }

    private static func error(_ path: String, _ operation: String) -> FileIOError {
        let code = errno
        let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return FileIOError(path: path, operation: operation, errno: code, message: message)
    }
}

/// A failed file operation: which file, what was being done, and the OS's reason.
public struct FileIOError: Error, Equatable, CustomStringConvertible {
    public let path: String
    public let operation: String
    public let errno: Int32
    public let message: String

    public init(path: String, operation: String, errno: Int32, message: String) {
        self.path = path
        self.operation = operation
        self.errno = errno
        self.message = message
    }

    public var description: String { "cannot \(operation) '\(path)': \(message)" }
}

/// `open(2)`, `read(2)` and `write(2)`, named so they do not collide with Swift's own.
private func posixOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
