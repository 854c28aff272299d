/// Why an image could not be read, decoded, encoded or transformed. Every
/// message names the file (when there is one) and what was wrong with it.
public enum ImageError: Error, Equatable, CustomStringConvertible {
    /// Not a PNG or JPEG, judged by the magic bytes (never by the file extension).
    case unknownFormat(String)
    /// Truncated or malformed data.
    case corrupt(String)
    /// A valid file outside what the decoder supports (a 12-bit JPEG, ...).
    case unsupported(String)
    /// Declared dimensions over the cap in `DecodeOptions.maxPixels`; refused before allocation.
    case tooLarge(String)
    /// A bad argument: a crop outside the image, a pixel buffer of the wrong size, ...
    case invalidArgument(String)
    /// Reading or writing a file failed; `errno` is the C error code.
    case io(path: String, operation: String, errno: Int32, message: String)
    case outOfMemory(String)

    public var description: String {
        switch self {
        case .unknownFormat(let message): return "unknown image format: \(message)"
        case .corrupt(let message): return "corrupt image: \(message)"
        case .unsupported(let message): return "unsupported image: \(message)"
        case .tooLarge(let message): return "image too large: \(message)"
        case .invalidArgument(let message): return "invalid argument: \(message)"
        case .io(let path, let operation, let code, let message):
            return "\(operation) '\(path)' failed: \(message) (errno \(code))"
        case .outOfMemory(let message): return "out of memory: \(message)"
        }
    }

    /// The same error with "path: " in front of its message, so a failure
    /// during a data-set scan names the file.
    public func prefixed(with path: String) -> ImageError {
        switch self {
        case .unknownFormat(let m): return .unknownFormat("\(path): \(m)")
        case .corrupt(let m): return .corrupt("\(path): \(m)")
        case .unsupported(let m): return .unsupported("\(path): \(m)")
        case .tooLarge(let m): return .tooLarge("\(path): \(m)")
        case .invalidArgument(let m): return .invalidArgument("\(path): \(m)")
        case .outOfMemory(let m): return .outOfMemory("\(path): \(m)")
        case .io: return self
        }
    }
}
