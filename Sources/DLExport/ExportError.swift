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

    public var description: String {
        switch self {
        case .shape(let message): return "shape error: \(message)"
        case .invalidArgument(let message): return "invalid argument: \(message)"
        case .io(let path, let operation, let code, let message):
            return "\(operation) '\(path)' failed: \(message) (errno \(code))"
        }
    }
}
