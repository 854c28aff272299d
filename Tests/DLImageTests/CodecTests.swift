import CImageCodecs
import Testing
@testable import DLImage

/// Encoders, round trips, JPEG colour spaces and EXIF orientation, on images built here.
@Suite struct CodecTests {
    @Test(arguments: [1, 3, 4])
    func pngRoundTrip(channels: Int) throws {
        let image = Fixtures.pattern(width: 37, height: 23, channels: channels)
        let bytes = try image.pngData()
        #expect(ImageFormat.detect(bytes) == .png)
        let decoded = try Image(data: bytes, options: DecodeOptions(keepAlpha: true))
        #expect(decoded == image)
        for level in [0, 9] { #expect(try Image(data: image.pngData(compressionLevel: level), options: DecodeOptions(keepAlpha: true)) == image) }
    }

    @Test func writePNGIsAtomicAndReadable() throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let path = directory + "/out.png"
        let image = Fixtures.pattern(width: 16, height: 8)
        try image.writePNG(to: path)
        try Fixtures.pattern(width: 8, height: 8).writePNG(to: path) // overwrite in place
        #expect(try Image(contentsOf: path) == Fixtures.pattern(width: 8, height: 8))
        #expect(try FileIO.list(directory) == ["out.png"]) // no temporary files left behind
        #expect(throws: ImageError.self) { try image.writePNG(to: directory + "/no/such/dir/x.png") }
        #expect(throws: ImageError.self) { try image.writePNG(to: directory + "/") }
    }

    @Test func jpegGrayProgressiveAndQuality() throws {
        let rgb = Fixtures.pattern(width: 48, height: 32)
        let gray = try rgb.converted(toChannels: 1)
        for progressive in [false, true] {
            let decodedGray = try Image(data: gray.jpegData(quality: 95, progressive: progressive))
            #expect(decodedGray.channels == 1 && decodedGray.width == 48 && decodedGray.height == 32)
            let meanError = zip(decodedGray.pixels, gray.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / gray.pixels.count
            #expect(meanError <= 3, "gray progressive=\(progressive): mean error \(meanError)")
            let decodedRGB = try Image(data: rgb.jpegData(quality: 95, progressive: progressive))
            #expect(decodedRGB.channels == 3)
            let meanErrorRGB = zip(decodedRGB.pixels, rgb.pixels).map { abs(Int($0) - Int($1)) }.reduce(0, +) / rgb.pixels.count
            // 4:2:0 chroma subsampling blurs the pattern's 4-pixel colour checker.
            #expect(meanErrorRGB <= 16, "rgb progressive=\(progressive): mean error \(meanErrorRGB)")
        }
        #expect(throws: ImageError.self) { try Fixtures.pattern(width: 4, height: 4, channels: 4).jpegData() }
    }

    /// CMYK and YCCK JPEGs as Photoshop writes them (Adobe marker, inverted values) come back as RGB.
    @Test(arguments: [false, true])
    func adobeCMYKToRGB(ycck: Bool) throws {
        // Flat colour patches (8x8-aligned, so JPEG keeps them nearly exact).
        let colors: [(UInt8, UInt8, UInt8)] = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (200, 150, 50)]
        let width = 32, height = 8
        var cmyk = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let (r, g, b) = colors[x / 8]
                // Adobe-inverted CMYK with no black ink: stored C = 255 - ink = R, K stored = 255.
                cmyk.replaceSubrange(((y * width + x) * 4)..<((y * width + x) * 4 + 4), with: [r, g, b, 255])
            }
        }
        let bytes = try Fixtures.cmykJPEG(cmyk, width: width, height: height, ycck: ycck)
        let image = try Image(data: bytes)
        #expect(image.channels == 3 && image.width == width && image.height == height)
        for (index, color) in colors.enumerated() {
            let x = index * 8 + 4, y = 4
            let got = (image[x: x, y: y, channel: 0], image[x: x, y: y, channel: 1], image[x: x, y: y, channel: 2])
            #expect(abs(Int(got.0) - Int(color.0)) <= 4 && abs(Int(got.1) - Int(color.1)) <= 4
                        && abs(Int(got.2) - Int(color.2)) <= 4, "patch \(index): \(got) vs \(color)")
        }
    }

    /// CMYK without an Adobe marker is plain CMYK (0 = no ink), as Pillow reads it:
    /// R = (255 - C)(255 - K) / 255.
    @Test func plainCMYKWithoutAdobeMarker() throws {
        let inks: [(UInt8, UInt8, UInt8, UInt8)] = [(0, 255, 255, 0), (0, 0, 0, 0), (0, 0, 0, 255), (50, 100, 150, 60)]
        let width = 32, height = 8
        var cmyk = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let (c, m, yellow, k) = inks[x / 8]
                cmyk.replaceSubrange(((y * width + x) * 4)..<((y * width + x) * 4 + 4), with: [c, m, yellow, k])
            }
        }
        let adobe = try Fixtures.cmykJPEG(cmyk, width: width, height: height)
        let plain = try #require(Fixtures.removingSegment(adobe, marker: 0xEE), "no Adobe APP14 segment to remove")
        let image = try Image(data: plain)
        #expect(image.channels == 3)
        for (index, ink) in inks.enumerated() {
            let expected = [ink.0, ink.1, ink.2].map { Int((Double(255 - Int($0)) * Double(255 - Int(ink.3)) / 255).rounded()) }
            let got = (0..<3).map { Int(image[x: index * 8 + 4, y: 4, channel: $0]) }
            #expect(zip(got, expected).allSatisfy { abs($0 - $1) <= 4 }, "ink \(index): \(got) vs \(expected)")
        }
    }

    /// `minimumSize` picks the smallest of 1/8, 1/4, 1/2 that still covers it, in display orientation.
    @Test func reducedJPEGDecodeSizes() throws {
        let jpeg = try Fixtures.pattern(width: 400, height: 300).jpegData(quality: 80)
        func size(_ bytes: [UInt8], _ minimum: (Int, Int)?) throws -> [Int] {
            let image = try Image(data: bytes, options: DecodeOptions(minimumSize: minimum))
            return [image.width, image.height]
        }
        #expect(try size(jpeg, nil) == [400, 300])
        #expect(try size(jpeg, (0, 0)) == [400, 300]) // no hint
        #expect(try size(jpeg, (1, 1)) == [50, 38])
        #expect(try size(jpeg, (50, 38)) == [50, 38])
        #expect(try size(jpeg, (51, 38)) == [100, 75])
        #expect(try size(jpeg, (100, 76)) == [200, 150])
        #expect(try size(jpeg, (200, 150)) == [200, 150])
        #expect(try size(jpeg, (200, 151)) == [400, 300])
        #expect(try size(jpeg, (4000, 3000)) == [400, 300]) // never enlarged
        // Orientation 6 shows 300x400: a 30x45 minimum fits the 1/8 decode (38x50 displayed),
        // which it would not if the hint were taken in stored orientation (50x38).
        let rotated = Fixtures.insertAfterSOI(jpeg, Fixtures.exifSegment(orientation: 6, littleEndian: false))
        #expect(try size(rotated, (30, 45)) == [38, 50])
        #expect(try size(rotated, (39, 45)) == [75, 100])
        // PNG ignores the hint; a negative one is refused.
        #expect(try size(Fixtures.pattern(width: 40, height: 30).pngData(), (1, 1)) == [40, 30])
        #expect(throws: ImageError.self) { try size(jpeg, (-1, 5)) }
    }

    /// Every EXIF orientation, in both byte orders, on a 32x16 image whose quadrants are
    /// red (top-left), blue (top-right), green (bottom-left) and white (bottom-right).
    @Test func exifOrientationApplied() throws {
        enum Q: Equatable { case red, blue, green, white }
        let colors: [Q: (UInt8, UInt8, UInt8)] = [.red: (255, 0, 0), .blue: (0, 0, 255), .green: (0, 255, 0), .white: (255, 255, 255)]
        var source = try Image(width: 32, height: 16, channels: 3)
        for y in 0..<16 {
            for x in 0..<32 {
                let q: Q = y < 8 ? (x < 16 ? .red : .blue) : (x < 16 ? .green : .white)
                let c = colors[q]!
                source[x: x, y: y, channel: 0] = c.0; source[x: x, y: y, channel: 1] = c.1; source[x: x, y: y, channel: 2] = c.2
            }
        }
        let jpeg = try source.jpegData(quality: 100)
        // Expected quadrants after display: [top-left, top-right, bottom-left, bottom-right].
        let expected: [Int: [Q]] = [
            1: [.red, .blue, .green, .white], 2: [.blue, .red, .white, .green],
            3: [.white, .green, .blue, .red], 4: [.green, .white, .red, .blue],
            5: [.red, .green, .blue, .white], 6: [.green, .red, .white, .blue],
            7: [.white, .blue, .green, .red], 8: [.blue, .white, .red, .green],
        ]
        func quadrant(_ image: Image, _ qx: Int, _ qy: Int) -> Q? {
            let x = qx == 0 ? image.width / 4 : image.width * 3 / 4
            let y = qy == 0 ? image.height / 4 : image.height * 3 / 4
            let pixel: [Int] = (0..<3).map { Int(image[x: x, y: y, channel: $0]) }
            for (key, value) in colors {
                let reference: [Int] = [Int(value.0), Int(value.1), Int(value.2)]
                if zip(pixel, reference).allSatisfy({ abs($0 - $1) < 40 }) { return key }
            }
            return nil
        }
        for orientation in 1...8 {
            for littleEndian in [true, false] {
                let bytes = Fixtures.insertAfterSOI(jpeg, Fixtures.exifSegment(orientation: UInt16(orientation), littleEndian: littleEndian))
                let image = try Image(data: bytes)
                let swapped = orientation >= 5
                #expect(image.width == (swapped ? 16 : 32) && image.height == (swapped ? 32 : 16), "orientation \(orientation)")
                let got = [quadrant(image, 0, 0), quadrant(image, 1, 0), quadrant(image, 0, 1), quadrant(image, 1, 1)]
                #expect(got == expected[orientation]!.map { Optional($0) }, "orientation \(orientation), LE \(littleEndian)")
                // Off: the stored orientation.
                let stored = try Image(data: bytes, options: DecodeOptions(applyEXIFOrientation: false))
                #expect(stored.width == 32 && stored.height == 16)
            }
        }
    }

    @Test func gzipInflates() throws {
        let data = (0..<100_000).map { UInt8(truncatingIfNeeded: $0 * 7 + $0 / 300) }
        #expect(try Gzip.decompress(Fixtures.gzipStored(data)) == data)
        // Two concatenated members.
        #expect(try Gzip.decompress(Fixtures.gzipStored([1, 2, 3]) + Fixtures.gzipStored([4, 5])) == [1, 2, 3, 4, 5])
        // zlib framing too.
        #expect(try Gzip.decompress(Fixtures.zlibStored(data)) == data)
        let gz = Fixtures.gzipStored(data)
        for cut in [0, 1, 5, 10, 11, 100, gz.count / 2, gz.count - 9, gz.count - 1] {
            #expect(throws: ImageError.self, "gzip truncated at \(cut)") { try Gzip.decompress(Array(gz[0..<cut])) }
        }
        var corrupt = gz
        corrupt[corrupt.count - 6] ^= 0xFF // CRC
        #expect(throws: ImageError.self) { try Gzip.decompress(corrupt) }
        #expect(throws: ImageError.self) { try Gzip.decompress(gz, maxBytes: 1000) }
        #expect(throws: ImageError.self) { try Gzip.decompress(Array("not gzip at all".utf8)) }
    }
}
