/// Why `dltrain` (or a `Trainer`) could not start or continue. Every case
/// carries a message that names the flag, file or value concerned; nothing
/// on disk has been changed when one of these is thrown before training
/// starts (a failure during training leaves the last complete checkpoint).
public enum TrainingError: Error, Equatable, CustomStringConvertible {
    /// A flag value out of range or inconsistent with another flag.
    case invalidOption(String)
    /// The data path is missing, holds no data set this trainer knows, or a file in it is malformed.
    case data(String)
    /// The model cannot be built (unknown name, input shape the model cannot take).
    case model(String)
    /// A checkpoint for --resume or --init is missing, corrupt, or does not fit.
    case checkpoint(String)
    /// The checkpoint or log cannot be written where asked.
    case output(String)
    /// The loss became NaN or infinite.
    case diverged(String)

    public var description: String {
        switch self {
        case .invalidOption(let m): return "invalid option: \(m)"
        case .data(let m): return "data: \(m)"
        case .model(let m): return "model: \(m)"
        case .checkpoint(let m): return "checkpoint: \(m)"
        case .output(let m): return "output: \(m)"
        case .diverged(let m): return "training diverged: \(m)"
        }
    }
}
