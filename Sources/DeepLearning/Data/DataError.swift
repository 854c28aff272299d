import DLImage

/// Why a data set could not be loaded. Messages name the file concerned.
public enum DataError: Error, Equatable, CustomStringConvertible {
    /// A file that is there but malformed: wrong magic, sizes that do not add up, labels out of range.
    case invalidFormat(path: String, message: String)
    /// An expected file or directory is absent.
    case notFound(path: String, message: String)
    /// A bad argument (batch size 0, an index out of range, mismatched normalisation stats).
    case invalidArgument(String)
    /// Reading or decoding an image or a compressed file failed.
    case image(ImageError)

    public var description: String {
        switch self {
        case .invalidFormat(let path, let message): return "invalid data file '\(path)': \(message)"
        case .notFound(let path, let message): return "not found: '\(path)': \(message)"
        case .invalidArgument(let message): return "invalid argument: \(message)"
        case .image(let error): return error.description
        }
    }
}
