#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Whole-file reads and atomic writes over POSIX calls (no Foundation).
public enum FileIO {
    /// Reads a regular file into memory, refusing files over `maxBytes`.
    public static func read(_ path: String, maxBytes: Int = 1 << 30) throws -> [UInt8] {
        let fd = posixOpen(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw error(path: path, operation: "open") }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw error(path: path, operation: "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            throw ImageError.io(path: path, operation: "read", errno: EISDIR, message: "not a regular file")
        }
        let size = Int(info.st_size)
        guard size <= maxBytes else {
            throw ImageError.tooLarge("\(path): file is \(size) bytes, over the cap of \(maxBytes)")
        }
        var bytes = [UInt8](repeating: 0, count: size)
        var filled = 0
        try bytes.withUnsafeMutableBytes { buffer in
            while filled < size {
                let result = posixRead(fd, buffer.baseAddress! + filled, size - filled)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw error(path: path, operation: "read")
                }
                if result == 0 { break } // shrank while reading
                filled += result
            }
        }
        if filled < size { bytes.removeSubrange(filled...) }
        return bytes
    }

    /// Writes a file so that it is either entirely the new content or absent:
    /// a temporary file in the same directory, fsync, rename, fsync the directory.
    public static func writeAtomically(_ bytes: [UInt8], to path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw ImageError.invalidArgument("'\(path)' is not a file path")
        }
        let directory = path.lastIndex(of: "/").map { slash -> String in
            let d = String(path[..<slash])
            return d.isEmpty ? "/" : d
        } ?? "."
        let baseName = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        var template = Array("\(directory)/.\(baseName).tmp-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { buffer -> Int32 in
            guard let base = buffer.baseAddress else { return -1 }
            return mkstemp(base)
        }
        guard fd >= 0 else { throw error(path: path, operation: "create a temporary file next to") }
        let tempPath = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var committed = false
        var needsClose = true
        defer {
            if needsClose { _ = close(fd) }
            if !committed { _ = unlink(tempPath) }
        }
        guard fchmod(fd, 0o644) == 0 else { throw error(path: tempPath, operation: "chmod") }
        try bytes.withUnsafeBytes { buffer in
            var written = 0
            while written < buffer.count {
                let result = posixWrite(fd, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw error(path: tempPath, operation: "write")
                }
                written += result
            }
        }
        guard fsync(fd) == 0 else { throw error(path: tempPath, operation: "fsync") }
        needsClose = false
        guard close(fd) == 0 else { throw error(path: tempPath, operation: "close") }
        guard rename(tempPath, path) == 0 else { throw error(path: path, operation: "rename into place") }
        committed = true
        let directoryFD = posixOpen(directory, O_RDONLY)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            _ = close(directoryFD)
        }
    }

    /// The names in a directory (no "." or ".."), unsorted.
    public static func list(_ path: String) throws -> [String] {
        guard let dir = opendir(path) else { throw error(path: path, operation: "open directory") }
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

    static func error(path: String, operation: String) -> ImageError {
        let code = errno
        let message = strerror(code).map { String(cString: $0) } ?? "error \(code)"
        return .io(path: path, operation: operation, errno: code, message: message)
    }
}

private func posixOpen(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int { read(fd, buffer, count) }
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int { write(fd, buffer, count) }
