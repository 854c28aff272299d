import CImageCodecs

extension Image {
    /// PNG bytes (8-bit gray, RGB or RGBA).
    public func pngData(compressionLevel: Int = 6) throws -> [UInt8] {
        try pixels.withUnsafeBufferPointer { buffer in
            try codecOutput { out, size, message, capacity in
                cic_png_encode(buffer.baseAddress, UInt32(width), UInt32(height), UInt32(channels),
                               Int32(compressionLevel), &out, &size, message, capacity)
            }
        }
    }

    /// Writes the image as PNG, atomically (a temporary file renamed into place),
    /// so a failure never leaves a partial file at `path`. It does not look for
    /// killed writers' temporary files: `dlsample --each` writes thousands of
    /// images into one directory, and listing it for each would be quadratic.
    public func writePNG(to path: String, compressionLevel: Int = 6) throws {
        let png = try pngData(compressionLevel: compressionLevel)
        do { try FileIO.writeAtomically(png, to: path, removingOrphans: false) } catch { throw ImageError(error) }
    }

    /// JPEG bytes (gray or RGB; RGBA is refused). For tests and demos.
    public func jpegData(quality: Int = 90, progressive: Bool = false) throws -> [UInt8] {
        guard channels != 4 else { throw ImageError.invalidArgument("JPEG has no alpha; convert to RGB first") }
        return try pixels.withUnsafeBufferPointer { buffer in
            try codecOutput { out, size, message, capacity in
                cic_jpeg_encode(buffer.baseAddress, UInt32(width), UInt32(height), UInt32(channels),
                                Int32(quality), progressive ? 1 : 0, 0, &out, &size, message, capacity)
            }
        }
    }
}

/// Runs a C codec call that returns a malloc'd byte buffer, copies the buffer
/// out and frees it, or throws the error the call reported.
func codecOutput(
    _ call: (inout UnsafeMutablePointer<UInt8>?, inout Int, UnsafeMutablePointer<CChar>, Int) -> cic_status
) throws -> [UInt8] {
    var out: UnsafeMutablePointer<UInt8>? = nil
    var size = 0
    var message = [CChar](repeating: 0, count: 512)
    let status = message.withUnsafeMutableBufferPointer { call(&out, &size, $0.baseAddress!, $0.count) }
    defer { cic_free(out) }
    guard status == CIC_OK, let out else { throw ImageError(status: status, message: message) }
    return [UInt8](UnsafeBufferPointer(start: out, count: size))
}
