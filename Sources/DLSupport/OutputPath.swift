#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a file could not be written at a path, found before any work is done:
/// the tools check their outputs up front so that an hour of training or a
/// full export never ends on "cannot write". Each tool words the problem with
/// its own flag and error type.
public enum OutputPathProblem: Equatable, Sendable {
    /// Empty, or ends in "/".
    case notAFilePath
    case isDirectory
    case missingDirectory(String)
    /// The directory exists but a file cannot be created in it; the reason is strerror's.
    case unwritableDirectory(String, reason: String)

    /// The problem with writing a file at `path`, or nil. Writability is
    /// tried with a temporary file beside it, removed at once.
    public static func of(_ path: String) -> OutputPathProblem? {
        guard !path.isEmpty, !path.hasSuffix("/") else { return .notAFilePath }
        if FileIO.isDirectory(path) { return .isDirectory }
        let directory = directory(of: path)
        guard FileIO.isDirectory(directory) else { return .missingDirectory(directory) }
        var template = Array("\(directory)/.dlrt-probe-XXXXXX".utf8CString)
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            return .unwritableDirectory(directory, reason: strerror(errno).map { String(cString: $0) } ?? "error \(errno)")
        }
        close(fd)
        template.withUnsafeBufferPointer { _ = unlink($0.baseAddress!) }
        return nil
    }

    /// The directory a file at `path` goes in: "." for a bare name, "/" for a file at the root.
    public static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return path[..<slash].isEmpty ? "/" : String(path[..<slash])
    }

    /// The problem in words, `name` being how the tool calls the output (for example "--out 'run.ckpt'").
    public func message(naming name: String) -> String {
        switch self {
        case .notAFilePath: return "\(name) is not a file path"
        case .isDirectory: return "\(name) is a directory, not a file path"
        case .missingDirectory(let directory): return "cannot write \(name): the directory '\(directory)' does not exist"
        case .unwritableDirectory(let directory, let reason):
            return "cannot write \(name): the directory '\(directory)' is not writable (\(reason))"
        }
    }
}
