import Testing
@testable import DLImage

/// The hostile corpus, built here: JPEG processes we do not decode (12-bit,
/// lossless), files that are not images but are named like one, every bit
/// flip of small PNGs, and a flood of progressive scans. Each is refused with
/// the error kind and message that say why; none crashes, exits or prints.
@Suite struct RefusalTests {
    static let baseline = try! Fixtures.pattern(width: 24, height: 16).jpegData(quality: 80)

    /// The baseline JPEG with its SOF0 segment changed by `edit` (given the segment's offset).
    static func editingSOF(_ edit: (inout [UInt8], Int) -> Void) throws -> [UInt8] {
        var bytes = baseline
        let sof = try #require(Fixtures.jpegSegment(bytes, marker: 0xC0))
        edit(&bytes, sof)
        return bytes
    }

    static func unsupportedMessage(_ bytes: [UInt8]) -> String? {
        guard case .unsupported(let message)? = TestSupport.imageError({ try Image(data: bytes) }) else { return nil }
        return message
    }

    @Test func twelveBitJPEGRefusedAsUnsupported() throws {
        // A 12-bit SOF (baseline and extended-sequential markers): the marker scan refuses it first.
        for marker: UInt8 in [0xC0, 0xC1] {
            let bytes = try Self.editingSOF { bytes, sof in bytes[sof + 1] = marker; bytes[sof + 4] = 12 }
            let message = try #require(Self.unsupportedMessage(bytes), "SOF 0x\(String(marker, radix: 16)) at 12 bits")
            #expect(message.contains("12-bit") && message.contains("only 8-bit"), "\(message)")
        }
        // A stray byte before DQT hides the SOF from that scan; libjpeg's own precision check must then refuse it
        // (its error handler, not exit()).
        var hidden = try Self.editingSOF { bytes, sof in bytes[sof + 4] = 12 }
        let dqt = try #require(Fixtures.jpegSegment(hidden, marker: 0xDB))
        hidden.insert(0x00, at: dqt)
        let message = try #require(Self.unsupportedMessage(hidden), "12-bit SOF behind extraneous data")
        #expect(message.contains("precision 12"), "\(message)")
    }

    @Test func losslessAndHierarchicalJPEGRefusedAsUnsupported() throws {
        for marker: UInt8 in [0xC3, 0xC5, 0xC7] {
            let bytes = try Self.editingSOF { bytes, sof in bytes[sof + 1] = marker }
            let message = try #require(Self.unsupportedMessage(bytes), "SOF 0x\(String(marker, radix: 16))")
            #expect(message.contains("SOF type 0x\(String(marker, radix: 16))"), "\(message)")
        }
        // 16-bit lossless.
        let sixteen = try Self.editingSOF { bytes, sof in bytes[sof + 1] = 0xC3; bytes[sof + 4] = 16 }
        #expect(Self.unsupportedMessage(sixteen)?.contains("16-bit") == true)
    }

    /// Other formats and plain text under image names: refused by magic bytes, naming the file.
    @Test func nonImagesWithImageExtensionsRefused() throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let impostors: [(String, [UInt8])] = [
            ("gif", Array("GIF89a".utf8) + [1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0x3B]),
            ("bmp", Array("BM".utf8) + [UInt8](repeating: 0, count: 60)),
            ("webp", Array("RIFF".utf8) + [26, 0, 0, 0] + Array("WEBPVP8 ".utf8) + [UInt8](repeating: 0, count: 18)),
            ("tiff", Array("II*".utf8) + [0, 8, 0, 0, 0, 0, 0]),
            ("pdf", Array("%PDF-1.4\n%\u{e2}\n1 0 obj\n".utf8)),
            ("html", Array("<!DOCTYPE html><html><body>404 Not Found</body></html>\n".utf8)),
            ("zip", [0x50, 0x4B, 0x03, 0x04] + [UInt8](repeating: 0, count: 26)),
            ("text", Array("just some text\n".utf8)),
            ("empty", []),
            ("soi-only", [0xFF, 0xD8]),
            ("png-signature-lowercase", Array("\u{89}png\r\n\u{1A}\n".utf8)),
        ]
        for (kind, bytes) in impostors {
            for ext in ["png", "jpg", "jpeg", "JPG"] {
                let path = "\(directory)/\(kind).\(ext)"
                try TestSupport.write(bytes, to: path)
                guard case .unknownFormat(let message)? = TestSupport.imageError({ try Image(contentsOf: path) }) else {
                    Issue.record("\(kind).\(ext): expected .unknownFormat")
                    continue
                }
                #expect(message.contains(path) && (message.contains("not a PNG or JPEG") || message.contains("empty")), "\(message)")
            }
        }
    }

    /// PNG protects every chunk with a CRC, so every single-bit flip of a file is refused:
    /// the signature by magic bytes, the rest by a CRC, length or structure check. That holds
    /// for ancillary chunks too (a tEXt here, tRNS in the palette file): libpng would drop
    /// them with a warning, which for tRNS silently changes the pixels.
    @Test func everyBitFlipOfSmallPNGsRefused() throws {
        let text = Fixtures.chunk("tEXt", Array("Comment\u{0}hi".utf8))
        let rgb = Fixtures.png(width: 4, height: 3, depth: 8, colorType: 2, samples: (0..<36).map { $0 * 7 })
        let palette = Fixtures.png(width: 5, height: 5, depth: 2, colorType: 3, samples: (0..<25).map { $0 % 4 }, interlaced: true,
                                   chunksBeforeIDAT: [Fixtures.chunk("PLTE", (0..<12).map { UInt8($0 * 20) }), Fixtures.chunk("tRNS", [0, 128])])
        for (name, clean) in [("RGB", rgb), ("interlaced palette + tRNS", palette)] {
            // The text chunk right after IHDR (8 signature + 25 IHDR bytes).
            let bytes = Array(clean[..<33]) + text + Array(clean[33...])
            #expect(try Image(data: bytes, options: DecodeOptions(keepAlpha: true)) == Image(data: clean, options: DecodeOptions(keepAlpha: true)))
            for bit in 0..<(bytes.count * 8) {
                var flipped = bytes
                flipped[bit / 8] ^= UInt8(1 << (bit % 8))
                #expect(throws: ImageError.self, "\(name): flip of bit \(bit % 8) of byte \(bit / 8) was accepted") {
                    try Image(data: flipped)
                }
            }
        }
    }

    /// A progressive JPEG whose last scan repeats 1,100 times (a CPU bomb): refused, quickly.
    @Test func progressiveScanFloodRefused() throws {
        let jpeg = try Fixtures.pattern(width: 16, height: 16).jpegData(progressive: true)
        let lastScan = try #require((0..<(jpeg.count - 1)).last { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA })
        let scan = Array(jpeg[lastScan..<(jpeg.count - 2)])
        let flood = Array(jpeg[..<(jpeg.count - 2)]) + Array([[UInt8]](repeating: scan, count: 1100).joined()) + [0xFF, 0xD9]
        guard case .corrupt(let message)? = TestSupport.imageError({ try Image(data: flood) }) else {
            Issue.record("a flood of 1,100 repeated scans must be refused as corrupt")
            return
        }
        #expect(message.contains("JPEG"), "\(message)")
    }
}
