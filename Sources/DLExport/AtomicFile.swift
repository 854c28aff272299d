#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes a file so that it is either entirely the new content or not there
/// at all: a model that is half written (disk full, crash, kill) would be
/// mmapped and rejected — or worse, served — by a runtime watching the path.
///
/// The bytes go to a temporary file in the *same directory* (so `rename` is
/// atomic: same filesystem), are flushed with `fsync`, and only then renamed
/// over the target. The directory is fsynced afterwards so the rename itself
/// survives a power loss. On any failure the temporary file is removed.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw ExportError.invalidArgument("'\(path)' is not a file path")
        }
        let directory = Self.directory(of: path)
        let baseName = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        // Hidden, and unique per writer, so concurrent writers never share a temp file.
        var template = Array("\(directory)/.\(baseName).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw Self.error(path: path, operation: "create a temporary file next to") }
        let tempPath = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)

        var committed = false
        var needsClose = true
        defer {
            if needsClose { _ = close(fd) }
            if !committed { _ = unlink(tempPath) }
        }

        // mkstemp creates 0600; a model is meant to be read by other users (a service account).
        guard fchmod(fd, 0o644) == 0 else { throw Self.error(path: tempPath, operation: "chmod") }
        try bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                guard let base = buffer.baseAddress else { break }
                let result = posixWrite(fd, base + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw Self.error(path: tempPath, operation: "write")
                }
                written += result
            }
        }
        guard fsync(fd) == 0 else { throw Self.error(path: tempPath, operation: "fsync") }
        needsClose = false
        guard close(fd) == 0 else { throw Self.error(path: tempPath, operation: "close") }
        guard rename(tempPath, path) == 0 else { throw Self.error(path: path, operation: "rename into place") }
        committed = true

        // Best effort: the file is complete and in place either way.
        let directoryFD = posixOpen(directory, O_RDONLY)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            _ = close(directoryFD)
        }
    }

    /// The directory part of `path` ("." for a bare name, "/" for a file in the root).
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let directory = String(path[..<slash])
        return directory.isEmpty ? "/" : directory
    }

    private static func error(path: String, operation: String) -> ExportError {
        let code = errno
        let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return .io(path: path, operation: operation, errno: code, message: message)
    }
}

/// `write(2)` and `open(2)`, named so they do not collide with Swift's own `write`/`open`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    write(fd, buffer, count)
}

private func posixOpen(_ path: String, _ flags: Int32) -> Int32 {
    open(path, flags)
}
