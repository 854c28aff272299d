import CRuntime

/// A failed dlrt call: the runtime's status code and the message
/// `dlrt_last_error()` gave for it (which names the section, tensor or node).
///
/// The message is captured at once, because the C side keeps it only until
/// the next dlrt call on the same thread.
///
/// Match on the status with `error.status == .checksum`, or directly in a
/// catch clause, as with Foundation's `URLError`:
/// `catch DLRuntimeError.selfTest { ... }`.
public struct DLRuntimeError: Error, Equatable, CustomStringConvertible {
    /// `dlrt_status` without `DLRT_OK`.
    public enum Status: UInt32, Sendable, CaseIterable {
        /// A NULL handle, an out-of-range index, a bad option.
        case invalidArgument = 1
        /// The file could not be opened, read or mapped.
        case io = 2
        /// The model file is malformed or truncated.
        case format = 3
        /// A section's CRC-32 does not match.
        case checksum = 4
        /// An unknown format version, op code or op version.
        case unsupported = 5
        /// Shapes that do not infer, or a wrong input size.
        case shape = 6
        /// An allocation failed, or a caller's arena is too small.
        case outOfMemory = 7
        /// A metadata key or tensor name that is not in the model.
        case notFound = 8
        /// The model's self-test output is out of tolerance.
        case selfTest = 9
        /// A bug in dlrt (also used for a status code this wrapper does not know).
        case `internal` = 10

        /// The C library's own name for it, e.g. "DLRT_ERR_FORMAT".
        public var name: String {
            String(cString: dlrt_status_name(dlrt_status(rawValue: rawValue)))
        }
    }

    public let status: Status
    public let message: String

    public init(status: Status, message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.name): \(message)" }

    /// Throws for anything but `DLRT_OK`, with the thread's last error message.
    static func check(_ status: dlrt_status, _ context: @autoclosure () -> String = "") throws {
        guard status != DLRT_OK else { return }
        throw DLRuntimeError(c: status, context: context())
    }

    init(c status: dlrt_status, context: String = "") {
        let last = String(cString: dlrt_last_error())
        let message = last.isEmpty ? context : (context.isEmpty ? last : "\(context): \(last)")
        self.init(status: Status(rawValue: status.rawValue) ?? .internal,
                  message: message.isEmpty ? "dlrt status \(status.rawValue)" : message)
    }
}

/// Statuses as static members, so that `catch DLRuntimeError.io` reads like the
/// error it matches (an expression pattern, matched by `~=` below).
extension DLRuntimeError {
    public static let invalidArgument = Status.invalidArgument
    public static let io = Status.io
    public static let format = Status.format
    public static let checksum = Status.checksum
    public static let unsupported = Status.unsupported
    public static let shape = Status.shape
    public static let outOfMemory = Status.outOfMemory
    public static let notFound = Status.notFound
    public static let selfTest = Status.selfTest
    public static let `internal` = Status.internal
}

extension DLRuntimeError.Status {
    /// Whether `value` is a DLRuntimeError with status `pattern`.
    public static func ~= (pattern: DLRuntimeError.Status, value: any Error) -> Bool {
        (value as? DLRuntimeError)?.status == pattern
    }
}
