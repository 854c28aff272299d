import CImageCodecs

/// The container formats DLImage reads, detected by magic bytes.
public enum ImageFormat: Sendable {
    case png, jpeg

    /// The format of `bytes` by their signature, or nil.
    public static func detect(_ bytes: [UInt8]) -> ImageFormat? {
        bytes.withUnsafeBufferPointer { buffer in
            switch cic_detect_format(buffer.baseAddress, buffer.count) {
            case CIC_FORMAT_PNG: return .png
            case CIC_FORMAT_JPEG: return .jpeg
            default: return nil
            }
        }
    }
}

/// A decoded image with the warnings its codec raised on the way. libpng and
/// libjpeg would print these to stderr; here they are never printed, only
/// counted, and the first kept (e.g. "PNG: tEXt: CRC error", "JPEG: Corrupt
/// JPEG data: 3 extraneous bytes before marker 0xd9"). Data that is truncated
/// or corrupt where it matters is an error, not a warning.
public struct DecodedImage: Sendable, Equatable {
    public var image: Image
    /// How many warnings the codec raised.
    public var warningCount: Int
    /// The first warning, nil when there were none.
    public var firstWarning: String?
}

extension Image {
    /// Reads and decodes a PNG or JPEG file (format from its magic bytes, not its name).
    public init(contentsOf path: String, options: DecodeOptions = DecodeOptions()) throws {
        self = try Image.decode(contentsOf: path, options: options).image
    }

    /// Decodes PNG or JPEG bytes: 8-bit gray (1 channel) or RGB (3), or RGBA with `keepAlpha`.
    ///
    /// PNG: every colour type and bit depth, palette + tRNS, interlaced; 16-bit
    /// samples are rounded to 8 bits; alpha is composited over `background`;
    /// gAMA/iCCP/bKGD are ignored (samples are taken as stored). JPEG: baseline,
    /// progressive, arithmetic, gray, CMYK/YCCK (Adobe-inverted when an Adobe
    /// marker is present), EXIF orientation applied; 12-bit and lossless refused.
    /// docs/IMAGES.md has the details.
    public init(data: [UInt8], options: DecodeOptions = DecodeOptions()) throws {
        self = try Image.decode(data, options: options).image
    }

    /// `init(contentsOf:options:)`, keeping the codec's warnings.
    public static func decode(contentsOf path: String, options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw ImageError(error) }
        do {
            return try decode(bytes, options: options)
        } catch let error as ImageError {
            throw error.prefixed(with: path)
        }
    }

    /// `init(data:options:)`, keeping the codec's warnings.
    public static func decode(_ data: [UInt8], options: DecodeOptions = DecodeOptions()) throws -> DecodedImage {
        var c = try CodecOptions(options).value
        var decoded = cic_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBufferPointer { buffer in
            cic_decode(buffer.baseAddress, buffer.count, &c, &decoded, &message, message.count)
        }
        defer { cic_image_release(&decoded) }
        guard status == CIC_OK else { throw ImageError(status: status, message: message) }
        let width = Int(decoded.width), height = Int(decoded.height), channels = Int(decoded.channels)
        let pixels = [UInt8](UnsafeBufferPointer(start: decoded.pixels, count: width * height * channels))
        let count = Int(decoded.warnings.count)
        let first = withUnsafeBytes(of: decoded.warnings.first) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return DecodedImage(image: Image(unchecked: width, height, channels, pixels), warningCount: count,
                            firstWarning: count > 0 ? first : nil)
    }
}

/// `DecodeOptions` checked and translated for the C codecs.
struct CodecOptions {
    var value = cic_decode_options()

    init(_ options: DecodeOptions) throws {
        guard options.maxPixels > 0 else { throw ImageError.invalidArgument("maxPixels must be positive") }
        cic_decode_options_init(&value)
        value.max_pixels = UInt64(options.maxPixels)
        value.apply_exif_orientation = options.applyEXIFOrientation ? 1 : 0
        value.background_rgb = (options.background.red, options.background.green, options.background.blue)
        value.keep_alpha = options.keepAlpha ? 1 : 0
        if let minimum = options.minimumSize {
            guard minimum.width >= 0, minimum.height >= 0 else {
                throw ImageError.invalidArgument("minimumSize \(minimum.width)x\(minimum.height) must not be negative")
            }
            value.min_width = UInt32(min(minimum.width, Int(UInt32.max)))
            value.min_height = UInt32(min(minimum.height, Int(UInt32.max)))
        }
    }
}

extension ImageError {
    /// The Swift error for a C codec status and the message it wrote.
    init(status: cic_status, message: [CChar]) {
        let text = message.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        switch status {
        case CIC_ERR_FORMAT: self = .unknownFormat(text)
        case CIC_ERR_CORRUPT: self = .corrupt(text)
        case CIC_ERR_UNSUPPORTED: self = .unsupported(text)
        case CIC_ERR_TOO_LARGE: self = .tooLarge(text)
        case CIC_ERR_NO_MEMORY: self = .outOfMemory(text)
        default: self = .invalidArgument(text)
        }
    }
}
