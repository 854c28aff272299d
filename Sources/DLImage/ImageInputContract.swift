/// How a model wants its input made from an image, and the code that makes it:
/// the `input.*` metadata of a `.dlrt` file (docs/FORMAT.md) as a value.
///
/// | field | metadata key |
/// |---|---|
/// | `width`, `height` | the graph input's shape `[N, C, height, width]` |
/// | `channelOrder` | `input.channel_order`: `RGB`, `BGR`, `GRAY` |
/// | `pixelRange` | `input.pixel_range`: `[lo, hi]` |
/// | `mean`, `std` | `input.mean`, `input.std`, in the model's channel order |
/// | `resize` | `input.resize` (`stretch`, `center-crop`) and `input.resize_shorter` |
///
/// The layout is NCHW, the only one in format v1. (`DeepLearning.InputContract`
/// records the same keys on the training side; this is the image side, and is
/// named apart so that code importing both modules is not ambiguous.)
public struct ImageInputContract: Sendable, Equatable {
    /// The order of the planes the model reads.
    public enum ChannelOrder: String, Sendable, CaseIterable {
        case rgb = "RGB", bgr = "BGR", gray = "GRAY"

        /// 3, or 1 for gray.
        public var channels: Int { self == .gray ? 1 : 3 }
    }

    /// How an image of any size becomes `width` x `height`.
    public enum Resize: Sendable, Equatable {
        /// Resize to the input size, ignoring the aspect ratio (`stretch`).
        case stretch
        /// Resize so the shorter side is `shorterSide` (aspect kept), then crop the
        /// centre (`center-crop` with `input.resize_shorter`), e.g. 256 then 224.
        case centerCrop(shorterSide: Int)

        /// From the metadata: `input.resize` and, for `center-crop`, `input.resize_shorter`.
        public init(metadataName name: String, shorterSide: Int?) throws {
            switch (name, shorterSide) {
            case ("stretch", _): self = .stretch
            case ("center-crop", let side?): self = .centerCrop(shorterSide: side)
            case ("center-crop", nil):
                throw ImageError.invalidArgument("input.resize 'center-crop' needs input.resize_shorter")
            default:
                throw ImageError.invalidArgument("input.resize '\(name)' is neither 'stretch' nor 'center-crop'")
            }
        }

        /// The `input.resize` string.
        public var metadataName: String {
            switch self {
            case .stretch: return "stretch"
            case .centerCrop: return "center-crop"
            }
        }
    }

    public let width: Int
    public let height: Int
    public let channelOrder: ChannelOrder
    /// 8-bit samples are first mapped linearly from 0...255 onto this range.
    public let pixelRange: ClosedRange<Float>
    /// One value per model channel, or one for all; then `x = (x - mean[c]) / std[c]`.
    public let mean: [Float]
    public let std: [Float]
    public let resize: Resize
    /// `normalizationTable` indexed by the channels of the fitted RGB/gray image.
    private let table: [Float]

    /// Checks the contract once, so that applying it can only fail on the image.
    public init(width: Int, height: Int, channelOrder: ChannelOrder = .rgb, pixelRange: ClosedRange<Float> = 0...1,
                mean: [Float] = [0], std: [Float] = [1], resize: Resize = .stretch) throws {
        guard width > 0, height > 0 else { throw ImageError.invalidArgument("input size \(width)x\(height) must be positive") }
        guard pixelRange.lowerBound < pixelRange.upperBound else {
            throw ImageError.invalidArgument("pixel range \(pixelRange) must have lo < hi")
        }
        if case .centerCrop(let side) = resize, side < max(width, height) {
            throw ImageError.invalidArgument(
                "resize_shorter \(side) is smaller than the \(width)x\(height) crop; it must be at least \(max(width, height))")
        }
        // The image's channels run R, G, B; a BGR model's mean/std run B, G, R.
        let reversed = channelOrder == .bgr
        table = try Image.normalizationTable(channels: channelOrder.channels,
                                             mean: reversed ? mean.reversed() : mean,
                                             std: reversed ? std.reversed() : std, range: pixelRange)
        self.width = width
        self.height = height
        self.channelOrder = channelOrder
        self.pixelRange = pixelRange
        self.mean = mean
        self.std = std
        self.resize = resize
    }

    /// The model input for `image`: `fitted(image)` normalised into planar
    /// floats, `channels * height * width` of them, in the model's channel order.
    public func tensor(from image: Image) throws -> [Float] {
        try fitted(image).normalizedCHW(table: table, reversingChannels: channelOrder == .bgr)
    }

    /// Decodes `path` (a reduced JPEG decode where the contract allows, see
    /// `decodeOptions`) and returns its model input.
    public func tensor(contentsOf path: String, options: DecodeOptions = DecodeOptions()) throws -> [Float] {
        try tensor(from: Image(contentsOf: path, options: decodeOptions(options)))
    }

    /// `width` x `height` pixels in the contract's channel count (RGB order
    /// for BGR models; `tensor` reorders): gray or RGB converted (alpha over
    /// white, colour to BT.601 luma), then resized per `resize`: area averaging
    /// where it shrinks, bilinear where it grows, and the centre crop.
    public func fitted(_ image: Image) throws -> Image {
        let channels = channelOrder.channels
        // Fewer channels first (less to resize); replication after (it commutes exactly with resizing).
        var image = image.channels > channels ? try image.converted(toChannels: channels) : image
        switch resize {
        case .stretch:
            image = try image.resized(width: width, height: height)
        case .centerCrop(let side):
            image = try image.resized(shorterSide: side).centerCropped(width: width, height: height)
        }
        return image.channels == channels ? image : try image.converted(toChannels: channels)
    }

    /// `options` with `minimumSize` set to what the resize needs, so a large
    /// JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still covers it:
    /// `stretch` needs `width` x `height`; `center-crop` needs the shorter side.
    public func decodeOptions(_ options: DecodeOptions = DecodeOptions()) -> DecodeOptions {
        var options = options
        switch resize {
        case .stretch: options.minimumSize = (width, height)
        case .centerCrop(let side): options.minimumSize = (side, side)
        }
        return options
    }

    public static func == (a: ImageInputContract, b: ImageInputContract) -> Bool {
        a.width == b.width && a.height == b.height && a.channelOrder == b.channelOrder && a.pixelRange == b.pixelRange
            && a.mean == b.mean && a.std == b.std && a.resize == b.resize
    }
}
