/// Why a model could not be built or written. Every message names the
/// tensor, node or file concerned, because the exporter's user usually sees
/// only this text.
public enum ExportError: Error, Equatable, CustomStringConvertible {
    /// Shapes that do not fit together, or a configuration with no valid output size.
    case shape(String)
    /// A bad argument: an unknown tensor id, a duplicate name, a cap exceeded.
    case invalidArgument(String)
    /// Writing the file failed; `errno` is the C error code.
    case io(path: String, operation: String, errno: Int32, message: String)
    /// A module the lowering does not know, or cannot lower as configured:
    /// `path` is its dotted name in the model ("features.3"), `type` its class.
    case unsupportedLayer(path: String, type: String, reason: String?)
    /// The checkpoint cannot be exported: unknown architecture, weights that
    /// do not fit it, no input contract or sample, labels that do not match.
    case checkpoint(String)
    /// The runtime refused the lowered model or its output differs from the
    /// engine's: a bug in the exporter or the runtime, never a user error.
    case verification(String)

    public var description: String {
        switch self {
        case .shape(let message): return "shape error: \(message)"
        case .invalidArgument(let message): return "invalid argument: \(message)"
        case .io(let path, let operation, let code, let message):
            return "\(operation) '\(path)' failed: \(message) (errno \(code))"
        case .unsupportedLayer(let path, let type, let reason):
            return "unsupported layer '\(path.isEmpty ? "<model>" : path)' (\(type))" + (reason.map { ": \($0)" } ?? "")
        case .checkpoint(let message): return message
        case .verification(let message): return "verification failed: \(message)"
        }
    }
}
