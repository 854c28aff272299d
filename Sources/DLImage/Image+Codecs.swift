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

/// How to decode.
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

    public init(maxPixels: Int = DecodeOptions.defaultMaxPixels, applyEXIFOrientation: Bool = true,
                background: (red: UInt8, green: UInt8, blue: UInt8) = (255, 255, 255), keepAlpha: Bool = false) {
        self.maxPixels = maxPixels
        self.applyEXIFOrientation = applyEXIFOrientation
        self.background = background
        self.keepAlpha = keepAlpha
    }

    public static func == (a: DecodeOptions, b: DecodeOptions) -> Bool {
        a.maxPixels == b.maxPixels && a.applyEXIFOrientation == b.applyEXIFOrientation
            && a.background == b.background && a.keepAlpha == b.keepAlpha
    }
}

extension Image {
    /// Reads and decodes a PNG or JPEG file (format from its magic bytes, not its name).
    public init(contentsOf path: String, options: DecodeOptions = DecodeOptions()) throws {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw ImageError(error) }
        do {
            try self.init(data: bytes, options: options)
        } catch let error as ImageError {
            throw error.prefixed(with: path)
        }
    }

    /// Decodes PNG or JPEG bytes: 8-bit gray (1 channel) or RGB (3), or RGBA with `keepAlpha`.
    ///
    /// PNG: every colour type and bit depth, palette + tRNS, interlaced; 16-bit
    /// samples are rounded to 8 bits; alpha is composited over `background`;
    /// gAMA/iCCP are ignored (samples are taken as stored). JPEG: baseline,
    /// progressive, arithmetic, gray, CMYK/YCCK (Adobe-inverted when an Adobe
    /// marker is present), EXIF orientation applied; 12-bit refused.
    public init(data: [UInt8], options: DecodeOptions = DecodeOptions()) throws {
        guard options.maxPixels > 0 else { throw ImageError.invalidArgument("maxPixels must be positive") }
        var c = cic_decode_options()
        cic_decode_options_init(&c)
        c.max_pixels = UInt64(options.maxPixels)
        c.apply_exif_orientation = options.applyEXIFOrientation ? 1 : 0
        c.background_rgb = (options.background.red, options.background.green, options.background.blue)
        c.keep_alpha = options.keepAlpha ? 1 : 0
        var decoded = cic_image()
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBufferPointer { buffer in
            cic_decode(buffer.baseAddress, buffer.count, &c, &decoded, &message, message.count)
        }
        defer { cic_image_release(&decoded) }
        guard status == CIC_OK else { throw ImageError(status: status, message: message) }
        let width = Int(decoded.width), height = Int(decoded.height), channels = Int(decoded.channels)
        let count = width * height * channels
        let pixels = [UInt8](UnsafeBufferPointer(start: decoded.pixels, count: count))
        self.init(unchecked: width, height, channels, pixels)
    }
}

extension ImageError {
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

extension Image {
    /// PNG bytes (8-bit gray, RGB or RGBA).
    public func pngData(compressionLevel: Int = 6) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = pixels.withUnsafeBufferPointer { buffer in
            cic_png_encode(buffer.baseAddress, UInt32(width), UInt32(height), UInt32(channels),
                           Int32(compressionLevel), &out, &size, &message, message.count)
        }
        defer { cic_free(out) }
        guard status == CIC_OK, let out else { throw ImageError(status: status, message: message) }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }

    /// Writes the image as PNG, atomically (a temporary file renamed into place).
    public func writePNG(to path: String, compressionLevel: Int = 6) throws {
        let png = try pngData(compressionLevel: compressionLevel)
        do { try FileIO.writeAtomically(png, to: path) } catch { throw ImageError(error) }
    }

    /// JPEG bytes (gray or RGB; RGBA is refused). For tests and demos.
    public func jpegData(quality: Int = 90, progressive: Bool = false) throws -> [UInt8] {
        guard channels != 4 else { throw ImageError.invalidArgument("JPEG has no alpha; convert to RGB first") }
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = pixels.withUnsafeBufferPointer { buffer in
            cic_jpeg_encode(buffer.baseAddress, UInt32(width), UInt32(height), UInt32(channels),
                            Int32(quality), progressive ? 1 : 0, 0, &out, &size, &message, message.count)
        }
        defer { cic_free(out) }
        guard status == CIC_OK, let out else { throw ImageError(status: status, message: message) }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }
}

/// gzip / zlib decompression (for IDX data sets), over the system zlib.
public enum Gzip {
    /// Inflates one or more gzip members (or a zlib stream); refuses truncated
    /// or corrupt data and output over `maxBytes`.
    public static func decompress(_ data: [UInt8], maxBytes: Int = 1 << 31) throws -> [UInt8] {
        var out: UnsafeMutablePointer<UInt8>? = nil
        var size = 0
        var message = [CChar](repeating: 0, count: 512)
        let status = data.withUnsafeBufferPointer { buffer in
            cic_gunzip(buffer.baseAddress, buffer.count, UInt64(max(maxBytes, 1)), &out, &size, &message, message.count)
        }
        defer { cic_free(out) }
        guard status == CIC_OK, let out else { throw ImageError(status: status, message: message) }
        return [UInt8](UnsafeBufferPointer(start: out, count: size))
    }

    /// Whether `data` starts with the gzip magic bytes.
    public static func isGzip(_ data: [UInt8]) -> Bool { data.count >= 2 && data[0] == 0x1F && data[1] == 0x8B }
}
