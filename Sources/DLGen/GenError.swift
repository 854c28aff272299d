/// Why `dlgen` could not generate text. The message names the problem: the
/// file, the missing metadata, the characters outside the vocabulary.
public enum GenError: Error, Equatable, CustomStringConvertible {
    /// The model cannot be read, or is not a character-level model (the message says which part of the contract fails).
    case model(String)
    /// A length, temperature, thread count or prime that cannot be used.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .model(let message), .invalidArgument(let message): return message
        }
    }
}
