import CImageCodecs
@testable import DLImage

/// Images and byte-level helpers built by the tests themselves (no ../shared needed).
enum Fixtures {
    /// A deterministic RGB test pattern (gradients plus a checker, so JPEG and PNG filters all get work).
    static func pattern(width: Int, height: Int, channels: Int = 3) -> Image {
        var pixels = [UInt8](repeating: 0, count: width * height * channels)
        for y in 0..<height {
            for x in 0..<width {
                for c in 0..<channels {
                    let checker = ((x / 4 + y / 4) % 2) * 40
                    let value = (x * 255 / max(1, width - 1) * (c % 2 == 0 ? 1 : 0)
                        + y * 255 / max(1, height - 1) * (c % 2 == 1 ? 1 : 0) + checker + c * 30) % 256
                    pixels[(y * width + x) * channels + c] = c == 3 ? UInt8((x * 7 + y * 3) % 256) : UInt8(value)
                }
            }
        }
        return try! Image(width: width, height: height, channels: channels, pixels: pixels)
    }

    /// A deterministic pseudo-random byte generator (SplitMix64).
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static func crc32(_ bytes: ArraySlice<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
        }
        return crc ^ 0xFFFF_FFFF
    }

    static func be32(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    /// A PNG chunk with a correct CRC.
    static func chunk(_ type: String, _ data: [UInt8]) -> [UInt8] {
        let typeBytes = Array(type.utf8)
        return be32(UInt32(data.count)) + typeBytes + data + be32(crc32(ArraySlice(typeBytes + data)))
    }

    /// The IHDR chunk's data.
    static func ihdr(width: UInt32, height: UInt32, depth: UInt8, colorType: UInt8, interlace: UInt8 = 0) -> [UInt8] {
        be32(width) + be32(height) + [depth, colorType, 0, 0, interlace]
    }

    static let pngSignature: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]

    /// Raw deflate bytes wrapped in stored (uncompressed) blocks.
    static func storedDeflate(_ data: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        var offset = 0
        repeat {
            let n = min(65535, data.count - offset)
            let final: UInt8 = offset + n == data.count ? 1 : 0
            out += [final, UInt8(n & 0xFF), UInt8(n >> 8), UInt8(~n & 0xFF), UInt8((~n >> 8) & 0xFF)]
            out += data[offset..<(offset + n)]
            offset += n
        } while offset < data.count
        return out
    }

    static func adler32(_ data: [UInt8]) -> UInt32 {
        var a: UInt32 = 1, b: UInt32 = 0
        for byte in data { a = (a + UInt32(byte)) % 65521; b = (b + a) % 65521 }
        return b << 16 | a
    }

    /// A zlib stream (for IDAT) of stored blocks.
    static func zlibStored(_ data: [UInt8]) -> [UInt8] { [0x78, 0x01] + storedDeflate(data) + be32(adler32(data)) }

    /// A gzip member of stored blocks.
    static func gzipStored(_ data: [UInt8]) -> [UInt8] {
        let crc = crc32(ArraySlice(data))
        let size = UInt32(truncatingIfNeeded: data.count)
        return [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF] + storedDeflate(data)
            + [UInt8(crc & 0xFF), UInt8(crc >> 8 & 0xFF), UInt8(crc >> 16 & 0xFF), UInt8(crc >> 24)]
            + [UInt8(size & 0xFF), UInt8(size >> 8 & 0xFF), UInt8(size >> 16 & 0xFF), UInt8(size >> 24)]
    }

    /// A hand-built PNG from its IHDR fields and raw (filtered) scanlines.
    static func png(ihdr header: [UInt8], raw: [UInt8], extraChunks: [[UInt8]] = []) -> [UInt8] {
        var bytes = pngSignature + chunk("IHDR", header)
        for extra in extraChunks { bytes += extra }
        return bytes + chunk("IDAT", zlibStored(raw)) + chunk("IEND", [])
    }

    /// An APP1 EXIF segment (marker included) holding only an orientation tag.
    static func exifSegment(orientation: UInt16, littleEndian: Bool) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8)] : [UInt8(v >> 8), UInt8(v & 0xFF)] }
        func u32(_ v: UInt32) -> [UInt8] {
            littleEndian ? [UInt8(v & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 24)] : be32(v)
        }
        var tiff = (littleEndian ? Array("II".utf8) : Array("MM".utf8)) + u16(42) + u32(8)
        tiff += u16(1) + u16(0x0112) + u16(3) + u32(1) + u16(orientation) + u16(0) + u32(0)
        let payload = Array("Exif".utf8) + [0, 0] + tiff
        let length = payload.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload
    }

    /// Inserts a segment right after SOI.
    static func insertAfterSOI(_ jpeg: [UInt8], _ segment: [UInt8]) -> [UInt8] {
        Array(jpeg[0..<2]) + segment + Array(jpeg[2...])
    }

    /// Samples per pixel for a PNG colour type (0 gray, 2 RGB, 3 palette, 4 gray+alpha, 6 RGBA).
    static func samplesPerPixel(colorType: UInt8) -> Int {
        switch colorType {
        case 2: return 3
        case 4: return 2
        case 6: return 4
        default: return 1
        }
    }

    /// One scanline of samples packed at `depth` bits (1, 2, 4 MSB first; 8; 16 big-endian), filter type 0 in front.
    static func packRow(_ samples: ArraySlice<Int>, depth: Int) -> [UInt8] {
        var row: [UInt8] = [0]
        switch depth {
        case 16:
            for v in samples { row += [UInt8(v >> 8), UInt8(v & 0xFF)] }
        case 8:
            for v in samples { row.append(UInt8(v)) }
        default:
            let perByte = 8 / depth
            var byte = 0, filled = 0
            for v in samples {
                byte |= v << (8 - depth * (filled + 1))
                filled += 1
                if filled == perByte { row.append(UInt8(byte)); byte = 0; filled = 0 }
            }
            if filled > 0 { row.append(UInt8(byte)) }
        }
        return row
    }

    /// The Adam7 passes as (x start, y start, x step, y step) (PNG spec, section 8.2).
    static let adam7: [(Int, Int, Int, Int)] = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2), (0, 1, 1, 2)]

    /// A PNG built straight from the spec: `samples` (interleaved, `width * height * samplesPerPixel`
    /// values at `depth` bits) as unfiltered scanlines, in Adam7 order when `interlaced`.
    static func png(width: Int, height: Int, depth: Int, colorType: UInt8, samples: [Int], interlaced: Bool = false,
                    chunksBeforeIDAT: [[UInt8]] = []) -> [UInt8] {
        let spp = samplesPerPixel(colorType: colorType)
        precondition(samples.count == width * height * spp)
        var raw: [UInt8] = []
        if !interlaced {
            for y in 0..<height { raw += packRow(samples[(y * width * spp)..<((y + 1) * width * spp)], depth: depth) }
        } else {
            for (x0, y0, dx, dy) in adam7 {
                // A pass with no columns or no rows has no scanlines at all (not even filter bytes).
                guard x0 < width, y0 < height else { continue }
                for y in stride(from: y0, to: height, by: dy) {
                    var passRow: [Int] = []
                    for x in stride(from: x0, to: width, by: dx) { passRow += samples[((y * width + x) * spp)..<((y * width + x + 1) * spp)] }
                    raw += packRow(passRow[...], depth: depth)
                }
            }
        }
        let header = ihdr(width: UInt32(width), height: UInt32(height), depth: UInt8(depth), colorType: colorType,
                          interlace: interlaced ? 1 : 0)
        return png(ihdr: header, raw: raw, extraChunks: chunksBeforeIDAT)
    }

    /// The byte offset of the first JPEG marker `0xFF marker` after SOI, walking the segments.
    static func jpegSegment(_ jpeg: [UInt8], marker: UInt8) -> Int? {
        var position = 2
        while position + 4 <= jpeg.count, jpeg[position] == 0xFF {
            if jpeg[position + 1] == marker { return position }
            if jpeg[position + 1] == 0xDA { return nil } // entropy-coded data follows SOS
            position += 2 + (Int(jpeg[position + 2]) << 8 | Int(jpeg[position + 3]))
        }
        return nil
    }

    /// The JPEG without its first segment of type `marker` (e.g. 0xEE, Adobe APP14).
    static func removingSegment(_ jpeg: [UInt8], marker: UInt8) -> [UInt8]? {
        guard let start = jpegSegment(jpeg, marker: marker) else { return nil }
        let length = 2 + (Int(jpeg[start + 2]) << 8 | Int(jpeg[start + 3]))
        return Array(jpeg[..<start]) + Array(jpeg[(start + length)...])
    }

    /// A 4-component JPEG from CMYK samples (libjpeg writes the Adobe marker: a reader takes them
    /// as Adobe-inverted, 255 = no ink), as CMYK or, with `ycck`, YCCK.
    static func cmykJPEG(_ samples: [UInt8], width: Int, height: Int, quality: Int = 100, ycck: Bool = false) throws -> [UInt8] {
        try samples.withUnsafeBufferPointer { buffer in
            try codecOutput { out, size, message, capacity in
                cic_jpeg_encode(buffer.baseAddress, UInt32(width), UInt32(height), 4, Int32(quality), 0, ycck ? 1 : 0,
                                &out, &size, message, capacity)
            }
        }
    }
}
