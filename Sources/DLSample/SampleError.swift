/// Why `dlsample` could not write its pictures. Nothing is left behind
/// when one of these is thrown: no file, no partly written directory.
public enum SampleError: Error, Equatable, CustomStringConvertible {
    /// The model cannot be read, or is not a generator (the message names the input it needs).
    case model(String)
    /// A count, grid or seed that cannot be satisfied.
    case invalidArgument(String)
    /// An output path that cannot be written.
    case output(String)

    public var description: String {
        switch self {
        case .model(let message), .invalidArgument(let message), .output(let message): return message
        }
    }
}
