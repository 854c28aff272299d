/// A metadata value, one case per `META` entry type.
public enum MetadataValue: Hashable, Sendable {
    case i64(Int64)
    case f64(Double)
    case string(String)
    case i64Array([Int64])
    case f64Array([Double])
    case stringArray([String])

    /// The on-disk `u32 type`.
    public var typeCode: UInt32 {
        switch self {
        case .i64: return 1
        case .f64: return 2
        case .string: return 3
        case .i64Array: return 4
        case .f64Array: return 5
        case .stringArray: return 6
        }
    }
}

/// A metadata key. The standard keys of docs/FORMAT.md are constants here so
/// that producers and consumers cannot disagree on spelling; any other key is
/// `MetadataKey("my.key")` or a string literal.
public struct MetadataKey: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(_ rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    public var description: String { rawValue }

    /// string, e.g. `resnet20-cifar10`.
    public static let modelName: MetadataKey = "model.name"
    /// string, e.g. `dlexport 0.1.0`.
    public static let modelProducer: MetadataKey = "model.producer"
    /// string: training recipe, measured accuracy.
    public static let modelDescription: MetadataKey = "model.description"
    /// string array: class names, index = output channel.
    public static let labels: MetadataKey = "labels"
    /// string: `NCHW`, the only layout in v1.
    public static let inputLayout: MetadataKey = "input.layout"
    /// string: `RGB`, `BGR` or `GRAY`.
    public static let inputChannelOrder: MetadataKey = "input.channel_order"
    /// f64 array `[lo, hi]`: 8-bit pixels are mapped linearly from [0, 255] to this range.
    public static let inputPixelRange: MetadataKey = "input.pixel_range"
    /// f64 array, per channel: `x = (x - mean[c]) / std[c]`.
    public static let inputMean: MetadataKey = "input.mean"
    /// f64 array, per channel.
    public static let inputStd: MetadataKey = "input.std"
    /// string: `stretch` or `center-crop`.
    public static let inputResize: MetadataKey = "input.resize"
    /// i64: shorter side before the centre crop.
    public static let inputResizeShorter: MetadataKey = "input.resize_shorter"
    /// string: `logits`, `probabilities` or `image`.
    public static let outputKind: MetadataKey = "output.kind"
    /// f64 array `[lo, hi]` of an image output.
    public static let outputRange: MetadataKey = "output.range"
    /// string: the model-zoo name the graph was lowered from, e.g. `resnet20`.
    public static let modelArchitecture: MetadataKey = "model.architecture"
    /// string: what the model was trained on, e.g. `cifar10`.
    public static let trainingDataset: MetadataKey = "training.dataset"
    /// string: the checkpoint's recipe (the dltrain command line, then `key=value` lines).
    public static let trainingRecipe: MetadataKey = "training.recipe"
    /// i64: epochs trained.
    public static let trainingEpochs: MetadataKey = "training.epochs"
    /// f64 in [0, 1]: test-split accuracy of the exported weights (after the last epoch).
    public static let trainingTestAccuracy: MetadataKey = "training.test_accuracy"
    /// f64: mean test-split cross-entropy of the exported weights.
    public static let trainingTestLoss: MetadataKey = "training.test_loss"
    /// string: where the SELFTEST input came from.
    public static let selfTestSource: MetadataKey = "selftest.source"
}
