import CImageCodecs
import Testing
@testable import DLImage

/// Truncated, corrupted, oversized and random inputs are refused with an
/// error — never a crash, an exit, or a half-decoded image.
@Suite struct HostileInputTests {
    static let validPNG = try! Fixtures.pattern(width: 40, height: 30).pngData()
    static let validJPEG = try! Fixtures.pattern(width: 40, height: 30).jpegData(quality: 85)
    static let progressiveJPEG = try! Fixtures.pattern(width: 40, height: 30).jpegData(quality: 85, progressive: true)

    @Test func truncatedPNGRefusedAtEveryLength() {
        let bytes = Self.validPNG
        for length in 0..<bytes.count {
            #expect(throws: ImageError.self, "PNG truncated to \(length) of \(bytes.count) bytes") {
                try Image(data: Array(bytes[0..<length]))
            }
        }
        #expect(throws: Never.self) { try Image(data: bytes) }
    }

    @Test func truncatedJPEGRefusedAtEveryLength() {
        for bytes in [Self.validJPEG, Self.progressiveJPEG] {
            for length in 0..<bytes.count {
                #expect(throws: ImageError.self, "JPEG truncated to \(length) of \(bytes.count) bytes") {
                    try Image(data: Array(bytes[0..<length]))
                }
            }
            #expect(throws: Never.self) { try Image(data: bytes) }
        }
    }

    @Test func corruptPNGHeadersRefused() {
        // A valid chunk CRC over invalid contents: the checks must be on the values, not just the CRC.
        let row = [UInt8](repeating: 0, count: 1 + 4)
        let cases: [(String, [UInt8])] = [
            ("zero width", Fixtures.ihdr(width: 0, height: 4, depth: 8, colorType: 0)),
            ("zero height", Fixtures.ihdr(width: 4, height: 0, depth: 8, colorType: 0)),
            ("bit depth 3", Fixtures.ihdr(width: 4, height: 4, depth: 3, colorType: 0)),
            ("colour type 1", Fixtures.ihdr(width: 4, height: 4, depth: 8, colorType: 1)),
            ("colour type 9", Fixtures.ihdr(width: 4, height: 4, depth: 8, colorType: 9)),
            ("16-bit palette", Fixtures.ihdr(width: 4, height: 4, depth: 16, colorType: 3)),
            ("interlace 2", Fixtures.ihdr(width: 4, height: 4, depth: 8, colorType: 0, interlace: 2)),
            ("width 2^31", Fixtures.ihdr(width: 0x8000_0000, height: 1, depth: 8, colorType: 0)),
        ]
        for (name, header) in cases {
            let bytes = Fixtures.png(ihdr: header, raw: Array([[UInt8]](repeating: row, count: 4).joined()))
            #expect(throws: ImageError.self, "\(name)") { try Image(data: bytes) }
        }
        // Sanity: the same builder with a good header decodes.
        let good = Fixtures.png(ihdr: Fixtures.ihdr(width: 4, height: 4, depth: 8, colorType: 0),
                                raw: Array([[UInt8]](repeating: row, count: 4).joined()))
        #expect(throws: Never.self) { try Image(data: good) }
        // Palette image with no PLTE; too little image data; a bad CRC.
        let palette = Fixtures.png(ihdr: Fixtures.ihdr(width: 4, height: 4, depth: 8, colorType: 3),
                                   raw: Array([[UInt8]](repeating: row, count: 4).joined()))
        #expect(throws: ImageError.self, "palette without PLTE") { try Image(data: palette) }
        let short = Fixtures.png(ihdr: Fixtures.ihdr(width: 4, height: 4, depth: 8, colorType: 0), raw: row)
        #expect(throws: ImageError.self, "IDAT too short") { try Image(data: short) }
        var badCRC = good
        badCRC[29] ^= 0x01 // the IHDR CRC's last byte (8 signature + 4 length + 4 type + 13 data)
        #expect(throws: ImageError.self, "IHDR CRC") { try Image(data: badCRC) }
        // Every single-byte flip of the header area must error or decode, never crash.
        for i in 8..<min(60, good.count) {
            var flipped = good
            flipped[i] ^= 0xFF
            _ = try? Image(data: flipped)
        }
    }

    @Test func hugeDeclaredDimensionsRefusedBeforeAllocation() throws {
        // 100000 x 100000 gray in a ~100-byte file: refused as too large, not by trying to allocate 10 GB.
        let bomb = Fixtures.png(ihdr: Fixtures.ihdr(width: 100_000, height: 100_000, depth: 8, colorType: 0), raw: [0, 0, 0])
        #expect(bomb.count < 200)
        do {
            _ = try Image(data: bomb)
            Issue.record("decompression bomb accepted")
        } catch let error as ImageError {
            guard case .tooLarge(let message) = error else { Issue.record("expected .tooLarge, got \(error)"); return }
            #expect(message.contains("100000x100000"), "\(message)")
        }
        // JPEGs whose SOF declares 60000 x 60000 (our cap) and 65535 x 65535 (libjpeg's own limit).
        var jpeg = Self.validJPEG
        let sof = try #require((0..<(jpeg.count - 1)).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xC0 })
        for (high, low) in [(UInt8(0xEA), UInt8(0x60)), (0xFF, 0xFF)] {
            jpeg[sof + 5] = high; jpeg[sof + 6] = low; jpeg[sof + 7] = high; jpeg[sof + 8] = low
            #expect {
                try Image(data: jpeg)
            } throws: { error in
                if case ImageError.tooLarge = error { return true }
                return false
            }
        }
        // The cap is configurable: a 40x30 image against a 1000-pixel cap.
        for bytes in [Self.validPNG, Self.validJPEG] {
            #expect(throws: ImageError.self) { try Image(data: bytes, options: DecodeOptions(maxPixels: 1000)) }
            #expect(throws: Never.self) { try Image(data: bytes, options: DecodeOptions(maxPixels: 1200)) }
        }
        // A zero-size JPEG.
        var zero = Self.validJPEG
        zero[sof + 5] = 0; zero[sof + 6] = 0
        #expect(throws: ImageError.self) { try Image(data: zero) }
    }

    @Test func randomBytesRefused() throws {
        var random = Fixtures.Random(state: 42)
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        for i in 0..<200 {
            let bytes = random.bytes(random.below(4096))
            let name = "\(directory)/noise\(i)" + (i % 2 == 0 ? ".png" : ".jpg")
            try TestSupport.write(bytes, to: name)
            // The name says image; the bytes do not: unknown format (judged by magic, not extension).
            #expect(throws: ImageError.self) { try Image(contentsOf: name) }
            // With a valid signature in front, the rest is garbage: corrupt.
            #expect(throws: ImageError.self) { try Image(data: Fixtures.pngSignature + bytes) }
            #expect(throws: ImageError.self) { try Image(data: [0xFF, 0xD8, 0xFF] + bytes) }
        }
        #expect(throws: ImageError.self) { try Image(data: []) }
        // A PNG named .jpg decodes: the extension is ignored.
        let misnamed = "\(directory)/really-a-png.jpg"
        try TestSupport.write(Self.validPNG, to: misnamed)
        #expect(try Image(contentsOf: misnamed).width == 40)
        // Missing file and a directory: I/O errors with the path.
        #expect(throws: ImageError.self) { try Image(contentsOf: "\(directory)/missing.png") }
        #expect(throws: ImageError.self) { try Image(contentsOf: directory) }
    }

    @Test func corruptedJPEGNeverCrashes() {
        // JPEG has no checksum: a flipped byte in the entropy data may still decode. Header bytes,
        // random flips and random splices must either decode to the right size or throw.
        var random = Fixtures.Random(state: 7)
        for source in [Self.validJPEG, Self.progressiveJPEG] {
            for _ in 0..<400 {
                var bytes = source
                for _ in 0..<(1 + random.below(4)) {
                    bytes[2 + random.below(bytes.count - 2)] = UInt8(truncatingIfNeeded: random.next())
                }
                if let image = try? Image(data: bytes) {
                    #expect(image.pixels.count == image.width * image.height * image.channels)
                }
            }
        }
    }

    @Test func exifParserBoundsChecked() {
        func orientation(_ bytes: [UInt8]) -> Int32 {
            bytes.withUnsafeBufferPointer { cic_exif_orientation($0.baseAddress, $0.count) }
        }
        let good = Array(Fixtures.exifSegment(orientation: 6, littleEndian: true)[4...])
        #expect(orientation(good) == 6)
        #expect(orientation(Array(Fixtures.exifSegment(orientation: 3, littleEndian: false)[4...])) == 3)
        #expect(orientation(Array(Fixtures.exifSegment(orientation: 9, littleEndian: true)[4...])) == 0)
        for length in 0..<good.count { _ = orientation(Array(good[0..<length])) }
        // IFD offset pointing past the end; an entry count far beyond the data.
        var farOffset = good
        farOffset[10] = 0xF0; farOffset[11] = 0xFF; farOffset[12] = 0xFF; farOffset[13] = 0x7F
        #expect(orientation(farOffset) == 0)
        var manyEntries = good
        manyEntries[14] = 0xFF; manyEntries[15] = 0xFF
        #expect(orientation(manyEntries) == 6) // the tag is the first entry, found before running off the end
        manyEntries[16] = 0x13 // break the first tag: now it must scan, and stop at the end of the data
        #expect(orientation(manyEntries) == 0)
        var random = Fixtures.Random(state: 99)
        for _ in 0..<2000 {
            var bytes = good
            for _ in 0..<3 { bytes[6 + random.below(bytes.count - 6)] = UInt8(truncatingIfNeeded: random.next()) }
            let value = orientation(bytes)
            #expect(value >= 0 && value <= 8)
        }
    }
}
