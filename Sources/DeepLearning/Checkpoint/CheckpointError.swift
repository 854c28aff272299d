/// Why a checkpoint could not be written, read or restored. Format errors
/// name the part of the file (`header`, a section such as `MODEL`, or a
/// record inside one such as `MODEL tensor 'fc1.weight'`) and the absolute
/// byte offset in the file where the problem was found.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A system call failed: `operation` on `path`, with `errno` and its message.
    case io(path: String, operation: String, errno: Int32, message: String)
    /// The file does not start with the checkpoint magic (`\x89DLCK\r\n\x1a`).
    case notACheckpoint(found: [UInt8])
    /// The major version is not one this reader knows (it knows 1).
    case unsupportedVersion(major: Int, minor: Int)
    /// `part` needs `needed` bytes at byte `offset` but only `available` remain.
    case truncated(part: String, offset: Int, needed: Int, available: Int)
    /// The CRC-32 stored for `part` does not match its bytes.
    case checksumMismatch(part: String, offset: Int, stored: UInt32, computed: UInt32)
    /// A value in `part` at byte `offset` is out of range, inconsistent or not allowed.
    case malformed(part: String, offset: Int, reason: String)
    /// A required section is absent.
    case missingSection(String)
    /// The checkpoint cannot be written as given (a key that is empty or too long, a negative epoch, ...).
    case invalidArgument(String)
    /// The checkpoint does not fit the objects it is restored into; nothing was changed.
    case incompatible(part: String, reason: String)

    public var description: String {
        switch self {
        case let .io(path, operation, errno, message):
            return "checkpoint: cannot \(operation) '\(path)': \(message) (errno \(errno))"
        case let .notACheckpoint(found):
            let hex = found.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }
            return "not a checkpoint: the file starts with [\(hex.joined(separator: " "))], expected the magic 89 44 4c 43 4b 0d 0a 1a"
        case let .unsupportedVersion(major, minor):
            return "unsupported checkpoint version \(major).\(minor): this reader knows major version \(CheckpointFormat.majorVersion)"
        case let .truncated(part, offset, needed, available):
            return "checkpoint truncated in \(part) at byte \(offset): needs \(needed) bytes, \(available) remain"
        case let .checksumMismatch(part, offset, stored, computed):
            return "checkpoint checksum mismatch in \(part) (at byte \(offset)): stored CRC-32 \(hex32(stored)), computed \(hex32(computed))"
        case let .malformed(part, offset, reason):
            return "malformed checkpoint: \(part) at byte \(offset): \(reason)"
        case let .missingSection(name):
            return "malformed checkpoint: the required section \(name) is missing"
        case let .invalidArgument(message):
            return "cannot write checkpoint: \(message)"
        case let .incompatible(part, reason):
            return "checkpoint does not fit the \(part): \(reason)"
        }
    }
}

private func hex32(_ value: UInt32) -> String {
    let digits = String(value, radix: 16)
    return "0x" + String(repeating: "0", count: 8 - digits.count) + digits
}
