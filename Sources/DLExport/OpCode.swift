/// An operator code (the node's `op` field).
///
/// A struct rather than an enum so that tests can write codes outside the
/// table (`OpCode(rawValue: 999)`) and check that the loader refuses them.
public struct OpCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let conv2d = OpCode(rawValue: 1)
    public static let convTranspose2d = OpCode(rawValue: 2)
    public static let dense = OpCode(rawValue: 3)
    public static let maxPool2d = OpCode(rawValue: 4)
    public static let avgPool2d = OpCode(rawValue: 5)
    public static let globalAvgPool = OpCode(rawValue: 6)
    public static let relu = OpCode(rawValue: 7)
    public static let leakyRelu = OpCode(rawValue: 8)
    public static let sigmoid = OpCode(rawValue: 9)
    public static let tanh = OpCode(rawValue: 10)
    public static let softmax = OpCode(rawValue: 11)
    public static let batchNorm = OpCode(rawValue: 12)
    public static let lrn = OpCode(rawValue: 13)
    public static let add = OpCode(rawValue: 14)
    public static let concat = OpCode(rawValue: 15)
    public static let reshape = OpCode(rawValue: 16)
    public static let flatten = OpCode(rawValue: 17)
    public static let pad = OpCode(rawValue: 18)
    /// f32 X -> i8 Y; Y carries the per-tensor scale and zero point (format 1.1).
    public static let quantize = OpCode(rawValue: 19)
    /// i8 X -> f32 Y (format 1.1).
    public static let dequantize = OpCode(rawValue: 20)
    /// f32 ids -> rows of a constant table (format 1.2).
    public static let embedding = OpCode(rawValue: 21)
    /// One tanh RNN layer, batch first (format 1.2).
    public static let rnn = OpCode(rawValue: 22)
    /// One LSTM layer, batch first, PyTorch's gate order i, f, g, o (format 1.2).
    public static let lstm = OpCode(rawValue: 23)
    /// One GRU layer, batch first, PyTorch's gate order r, z, n (format 1.2).
    public static let gru = OpCode(rawValue: 24)

    /// The spec's name ("conv2d", ...), used in error messages and default tensor names.
    public var name: String {
        let names = ["conv2d", "conv_transpose2d", "dense", "max_pool2d", "avg_pool2d",
                     "global_avg_pool", "relu", "leaky_relu", "sigmoid", "tanh", "softmax",
                     "batch_norm", "lrn", "add", "concat", "reshape", "flatten", "pad",
                     "quantize", "dequantize", "embedding", "rnn", "lstm", "gru"]
        let index = Int(rawValue) - 1
        return names.indices.contains(index) ? names[index] : "op\(rawValue)"
    }

    public var description: String { name }
}
