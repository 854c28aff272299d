/// An 8-bit image in memory: `height` rows of `width` pixels, each pixel
/// `channels` interleaved samples (1 gray, 3 RGB, 4 RGBA), row-major (HWC).
///
/// Decoding (`init(contentsOf:)`, `init(data:)`) yields 1 or 3 channels: alpha
/// is composited over a background (white by default; see `DecodeOptions`).
public struct Image: Equatable, Sendable {
    public let width: Int
    public let height: Int
    public let channels: Int
    /// `height * width * channels` samples, row-major, channels interleaved.
    public var pixels: [UInt8]

    /// Wraps existing pixels; the count must be `width * height * channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) throws {
        try Image.validate(width: width, height: height, channels: channels)
        guard pixels.count == width * height * channels else {
            throw ImageError.invalidArgument(
                "\(width)x\(height)x\(channels) image needs \(width * height * channels) samples, got \(pixels.count)")
        }
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// An image filled with one sample value.
    public init(width: Int, height: Int, channels: Int, fill: UInt8 = 0) throws {
        try Image.validate(width: width, height: height, channels: channels)
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = [UInt8](repeating: fill, count: width * height * channels)
    }

    /// Internal: for callers that have already validated the geometry.
    init(unchecked width: Int, _ height: Int, _ channels: Int, _ pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    static func validate(width: Int, height: Int, channels: Int) throws {
        guard width > 0, height > 0 else {
            throw ImageError.invalidArgument("image size \(width)x\(height) must be positive")
        }
        guard channels == 1 || channels == 3 || channels == 4 else {
            throw ImageError.invalidArgument("\(channels) channels (need 1, 3 or 4)")
        }
        let (area, overflow1) = width.multipliedReportingOverflow(by: height)
        let (_, overflow2) = area.multipliedReportingOverflow(by: channels)
        guard !overflow1, !overflow2 else {
            throw ImageError.invalidArgument("image size \(width)x\(height)x\(channels) overflows")
        }
    }

    /// The sample at column `x`, row `y`, channel `channel` (no bounds check beyond the array's).
    public subscript(x x: Int, y y: Int, channel channel: Int) -> UInt8 {
        get { pixels[(y * width + x) * channels + channel] }
        set { pixels[(y * width + x) * channels + channel] = newValue }
    }
}
