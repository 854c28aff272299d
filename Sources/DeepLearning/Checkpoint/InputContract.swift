/// How the model's input was made from 8-bit images during training: what
/// `dlexport` writes as the `.dlrt` input contract (docs/FORMAT.md), so that
/// a deployed model is fed exactly as it was trained. Stored in a
/// checkpoint's optional `INPUT` section (docs/CHECKPOINT.md).
///
/// A pixel `p` of channel `c` becomes `(p / 255 * (hi - lo) + lo - mean[c]) / std[c]`
/// with `[lo, hi] = pixelRange`, as `ImageTransform` computes it.
public struct InputContract: Sendable, Equatable {
    /// How an image of another size is brought to the model's input size.
    public enum Resize: Sendable, Equatable {
        /// Resize to the input size, ignoring the aspect ratio.
        case stretch
        /// Scale so that the shorter side is `shorterSide` (aspect ratio kept), then crop the centre.
        case centerCrop(shorterSide: Int)
    }

    /// The channel orders a contract may name (docs/FORMAT.md `input.channel_order`).
    public static let channelOrders = ["RGB", "BGR", "GRAY"]

    /// The data set's name: `mnist`, `cifar10`, or an image folder's directory name.
    public var dataset: String
    /// `RGB`, `BGR` or `GRAY`.
    public var channelOrder: String
    /// `[lo, hi]`: 8-bit pixels are mapped linearly from [0, 255] onto this interval first.
    public var pixelRange: [Double]
    /// Per channel, in the units of `pixelRange`.
    public var mean: [Double]
    /// Per channel, finite and nonzero.
    public var std: [Double]
    public var resize: Resize

    public init(dataset: String, channelOrder: String, pixelRange: [Double] = [0, 1], mean: [Double], std: [Double],
                resize: Resize) {
        self.dataset = dataset
        self.channelOrder = channelOrder
        self.pixelRange = pixelRange
        self.mean = mean
        self.std = std
        self.resize = resize
    }

    /// The contract of a data set normalised by `transform`, for a model taking
    /// `channels` channels: mean and std expanded to one value per channel, and
    /// written as the shortest decimals of their Float values (0.4914, not 0.49140000343).
    public init(dataset: String, channels: Int, transform: ImageTransform, resize: Resize) {
        func perChannel(_ values: [Float]) -> [Double] {
            (0..<channels).map { c in InputContract.shortestDouble(values.count == 1 ? values[0] : values[c]) }
        }
        self.init(dataset: dataset, channelOrder: channels == 1 ? "GRAY" : "RGB",
                  pixelRange: [Self.shortestDouble(transform.range.lowerBound), Self.shortestDouble(transform.range.upperBound)],
                  mean: perChannel(transform.mean), std: perChannel(transform.std), resize: resize)
    }

    /// The channel count the contract describes (GRAY 1, RGB and BGR 3).
    public var channels: Int { channelOrder == "GRAY" ? 1 : 3 }

    /// Why the contract cannot describe a model input, or nil when it can:
    /// a known channel order, one finite mean and nonzero std per channel, a
    /// finite non-empty pixel range, a positive crop side.
    public var problem: String? {
        guard Self.channelOrders.contains(channelOrder) else {
            return "channel order '\(channelOrder)' is none of \(Self.channelOrders.joined(separator: ", "))"
        }
        guard pixelRange.count == 2, pixelRange.allSatisfy(\.isFinite), pixelRange[0] < pixelRange[1] else {
            return "pixel range \(pixelRange) is not [lo, hi] with finite lo < hi"
        }
        guard mean.count == channels, std.count == channels else {
            return "\(channelOrder) needs \(channels) mean and std values, has \(mean.count) and \(std.count)"
        }
        guard mean.allSatisfy(\.isFinite), std.allSatisfy({ $0.isFinite && $0 != 0 }) else {
            return "mean \(mean) must be finite and std \(std) finite and nonzero"
        }
        if case .centerCrop(let side) = resize, side < 1 { return "center-crop side \(side) must be positive" }
        return nil
    }

    /// `pixels` (8-bit, CHW, `channels` planes) as the model's Float input.
    /// Computed in Float exactly as `ImageDataset` computes its lookup table,
    /// so a sample normalised here is bit-identical to the training loader's.
    public func normalize(_ pixels: [UInt8]) -> [Float] {
        let plane = pixels.count / max(channels, 1)
        let lower = Float(pixelRange[0]), width = Float(pixelRange[1]) - Float(pixelRange[0])
        return pixels.enumerated().map { index, p in
            let c = min(index / max(plane, 1), channels - 1)
            return (Float(p) * width / 255 + lower - Float(mean[c])) / Float(std[c])
        }
    }

    /// The Double whose shortest decimal is `value`'s (Float 0.4914 gives Double 0.4914).
    static func shortestDouble(_ value: Float) -> Double { Double("\(value)") ?? Double(value) }
}

/// One real example, as 8-bit CHW pixels before normalisation, with its
/// label: the self-test input `dlexport` writes into a model. Stored in a
/// checkpoint's optional `SAMPLES` section.
public struct InputSample: Sendable, Equatable {
    /// [C, H, W].
    public var shape: [Int]
    /// `shape`'s product of bytes, planar CHW.
    public var pixels: [UInt8]
    /// The class index, >= 0.
    public var label: Int
    /// Where the example came from, e.g. `cifar10 test image 0`.
    public var source: String

    public init(shape: [Int], pixels: [UInt8], label: Int, source: String) {
        self.shape = shape
        self.pixels = pixels
        self.label = label
        self.source = source
    }
}
