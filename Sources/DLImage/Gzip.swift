import CImageCodecs

/// gzip / zlib decompression (for IDX data sets), over the system zlib.
public enum Gzip {
    /// Inflates one or more gzip members (or a zlib stream); refuses truncated
    /// or corrupt data and output over `maxBytes`.
    public static func decompress(_ data: [UInt8], maxBytes: Int = 1 << 31) throws -> [UInt8] {
        try data.withUnsafeBufferPointer { buffer in
            try codecOutput { out, size, message, capacity in
                cic_gunzip(buffer.baseAddress, buffer.count, UInt64(max(maxBytes, 1)), &out, &size, message, capacity)
            }
        }
    }

    /// Whether `data` starts with the gzip magic bytes.
    public static func isGzip(_ data: [UInt8]) -> Bool { data.count >= 2 && data[0] == 0x1F && data[1] == 0x8B }
}
