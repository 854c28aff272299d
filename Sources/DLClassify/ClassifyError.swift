/// Why `classify` could not answer: about the model (nothing can be
/// classified) or about one input (the others still get answers).
public enum ClassifyError: Error, Equatable, CustomStringConvertible {
    /// The model is missing, unreadable, or not an image classifier with an input contract.
    case model(String)
    /// One input path: missing, not an image, undecodable.
    case input(path: String, message: String)

    public var description: String {
        switch self {
        case .model(let message): return message
        case .input(let path, let message): return "\(path): \(message)"
        }
    }
}
