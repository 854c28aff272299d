/// How to decode. The defaults suit classification: alpha composited over
/// white, EXIF orientation applied, images over 2^26 pixels refused, full size.
public struct DecodeOptions: Sendable, Equatable {
    /// The default cap on `width * height`: 2^26 pixels (8192 x 8192).
    public static let defaultMaxPixels = 1 << 26
    /// Refuse an image whose header declares more pixels than this, before allocating anything for it.
    public var maxPixels: Int
    /// JPEG: rotate/flip per the EXIF orientation tag.
    public var applyEXIFOrientation: Bool
    /// PNG alpha / tRNS is composited over this RGB colour (gray images use its luma).
    public var background: (red: UInt8, green: UInt8, blue: UInt8)
    /// Keep alpha as a 4th channel (RGBA; gray + alpha becomes RGBA) instead of compositing.
    public var keepAlpha: Bool
    /// JPEG only, a speed hint for callers that shrink the image next anyway:
    /// decode with libjpeg's scaled IDCT at the smallest of 1/8, 1/4 or 1/2 of
    /// the stored size whose result is still at least this big (after EXIF
    /// orientation), or at full size when none is. nil: always full size.
    /// The reduced decode averages each block's frequencies, so it is itself
    /// an antialiased downscale; PNGs ignore the hint.
    public var minimumSize: (width: Int, height: Int)?

    public init(maxPixels: Int = DecodeOptions.defaultMaxPixels, applyEXIFOrientation: Bool = true,
                background: (red: UInt8, green: UInt8, blue: UInt8) = (255, 255, 255), keepAlpha: Bool = false,
                minimumSize: (width: Int, height: Int)? = nil) {
        self.maxPixels = maxPixels
        self.applyEXIFOrientation = applyEXIFOrientation
        self.background = background
        self.keepAlpha = keepAlpha
        self.minimumSize = minimumSize
    }

    public static func == (a: DecodeOptions, b: DecodeOptions) -> Bool {
        a.maxPixels == b.maxPixels && a.applyEXIFOrientation == b.applyEXIFOrientation
            && a.background == b.background && a.keepAlpha == b.keepAlpha
            && a.minimumSize?.width == b.minimumSize?.width && a.minimumSize?.height == b.minimumSize?.height
    }
}
