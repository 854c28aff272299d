import Testing
@testable import DLImage

/// Every file in ../shared/images/pngsuite and ../shared/images/jpeg decodes
/// (or is refused, as the suites say), and matches the Debian tools' decodes.
@Suite(.enabled(if: TestSupport.hasSharedImages, TestSupport.sharedMissing))
struct ImageSuiteTests {
    static var pngSuiteFiles: [String] {
        TestSupport.files(in: TestSupport.pngSuite, suffix: ".png").map { TestSupport.pngSuite + "/" + $0 }
            + TestSupport.files(in: TestSupport.pngSuite + "/interlaced", suffix: ".png")
                .map { TestSupport.pngSuite + "/interlaced/" + $0 }
    }

    static func name(_ path: String) -> String { String(path.split(separator: "/").last!) }

    /// Colour type from the pngsuite naming scheme: the 2 characters before the depth, e.g. "0g", "2c", "3p", "4a", "6a".
    static func expectedChannels(_ name: String) -> Int {
        let stem = name.dropLast(4) // ".png"
        let kind = stem.dropLast(2).suffix(2)
        return kind.hasPrefix("0") || kind.hasPrefix("4") ? 1 : 3
    }

    @Test func pngSuiteDecodesOrRefuses() throws {
        let files = Self.pngSuiteFiles
        #expect(files.count >= 50, "expected the PNG suite's files in \(TestSupport.pngSuite)")
        for path in files {
            let name = Self.name(path)
            if name.hasPrefix("x") {
                // Corrupt by design: must be refused with an error, never crash.
                #expect(throws: ImageError.self, "\(name) is corrupt and must be refused") {
                    try Image(contentsOf: path)
                }
                continue
            }
            let image = try Image(contentsOf: path)
            // The suite's images are all 32x32.
            #expect(image.width == 32 && image.height == 32, "\(name): \(image.width)x\(image.height)")
            #expect(image.channels == Self.expectedChannels(name), "\(name): \(image.channels) channels")
        }
    }

    @Test func interlacedMatchesNonInterlaced() throws {
        for path in Self.pngSuiteFiles {
            let name = Self.name(path)
            guard name.hasPrefix("i"), !name.hasPrefix("x") else { continue }
            let twin = TestSupport.pngSuite + "/" + name.dropFirst()
            guard FileIO.exists(twin) else { continue }
            #expect(try Image(contentsOf: path) == Image(contentsOf: twin), "\(name) vs its non-interlaced twin")
        }
    }

    @Test func alphaKeptOrComposited() throws {
        let path = TestSupport.pngSuite + "/basn6a08.png"
        let rgba = try Image(contentsOf: path, options: DecodeOptions(keepAlpha: true))
        #expect(rgba.channels == 4)
        let overWhite = try Image(contentsOf: path)
        #expect(overWhite == (try rgba.converted(toChannels: 3)))
        let overBlack = try Image(contentsOf: path, options: DecodeOptions(background: (0, 0, 0)))
        #expect(overBlack != overWhite)
        // Gray + alpha kept: expanded to RGBA.
        #expect(try Image(contentsOf: TestSupport.pngSuite + "/basn4a08.png", options: DecodeOptions(keepAlpha: true)).channels == 4)
    }

    @Test(.enabled(if: ReferenceTools.pngtopnmPath != nil, ReferenceTools.pngtopnmMissing))
    func pngSuiteMatchesPngtopnm() throws {
        var compared = 0
        let jpegFolderPNGs = TestSupport.files(in: TestSupport.jpegDir, suffix: ".png").map { TestSupport.jpegDir + "/" + $0 }
        for path in Self.pngSuiteFiles + jpegFolderPNGs where !Self.name(path).hasPrefix("x") {
            let name = Self.name(path)
            let reference = try #require(ReferenceTools.pngtopnm(path), "pngtopnm failed on \(name)")
            // Alpha is composited in a different order of rounding: allow 1 there, exact elsewhere.
            let hasAlpha = (try Image(contentsOf: path, options: DecodeOptions(keepAlpha: true))).channels == 4
            let tolerance = hasAlpha ? 1 : 0
            let worst = try #require(try ReferenceTools.worstDifference(Image(contentsOf: path), reference), "\(name): size differs")
            #expect(worst <= tolerance, "\(name): max difference \(worst) from pngtopnm (tolerance \(tolerance))")
            compared += 1
        }
        #expect(compared >= 53)
    }

    @Test func jpegFilesDecodeOrRefuse() throws {
        let testorig = try Image(contentsOf: TestSupport.jpegDir + "/testorig.jpg")
        #expect(testorig.width == 227 && testorig.height == 149 && testorig.channels == 3)
        let arithmetic = try Image(contentsOf: TestSupport.jpegDir + "/testimgari.jpg")
        #expect(arithmetic.width == 227 && arithmetic.height == 149)
        let interleaved = try Image(contentsOf: TestSupport.jpegDir + "/testimgint.jpg")
        #expect(interleaved.width == 227 && interleaved.height == 149)
        // The 12-bit JPEG: refused cleanly, with a message that says why.
        do {
            _ = try Image(contentsOf: TestSupport.jpegDir + "/monkey12.jpg")
            Issue.record("monkey12.jpg (12-bit) must be refused")
        } catch let error as ImageError {
            guard case .unsupported(let message) = error else {
                Issue.record("12-bit JPEG: expected .unsupported, got \(error)")
                return
            }
            #expect(message.contains("12-bit") && message.contains("monkey12.jpg"), "\(message)")
        }
        // The PNGs in the same folder (a 16-bit RGB, an 8-bit gray, an 8-bit RGB).
        let monkey16 = try Image(contentsOf: TestSupport.jpegDir + "/monkey16.png")
        #expect(monkey16.width == 149 && monkey16.height == 227 && monkey16.channels == 3)
        #expect(try Image(contentsOf: TestSupport.jpegDir + "/testorig.png").channels == 1)
        #expect(try Image(contentsOf: TestSupport.jpegDir + "/vgl_5674_0098.png").width == 120)
        // Every file in the folder is accounted for: decodes, or is the 12-bit one.
        for name in TestSupport.files(in: TestSupport.jpegDir, suffix: "") where name.hasSuffix(".jpg") || name.hasSuffix(".png") {
            if name == "monkey12.jpg" { continue }
            _ = try Image(contentsOf: TestSupport.jpegDir + "/" + name)
        }
    }

    @Test(.enabled(if: ReferenceTools.djpegPath != nil, ReferenceTools.djpegMissing))
    func jpegMatchesDjpeg() throws {
        var files = TestSupport.files(in: TestSupport.jpegDir, suffix: ".jpg").filter { $0 != "monkey12.jpg" }
            .map { TestSupport.jpegDir + "/" + $0 }
        files += TestSupport.files(in: TestSupport.photos, suffix: ".jpg").map { TestSupport.photos + "/" + $0 }
        #expect(files.count >= 3)
        for path in files {
            let reference = try #require(ReferenceTools.djpeg(path), "djpeg failed on \(path)")
            // djpeg does not apply EXIF orientation; compare the stored orientation.
            let image = try Image(contentsOf: path, options: DecodeOptions(applyEXIFOrientation: false))
            #expect(image.channels == reference.channels, "\(path)")
            #expect(try ReferenceTools.worstDifference(image, reference) == 0, "\(path): pixels differ from djpeg")
        }
    }

    @Test func photosDecodeAndResize() throws {
        for name in TestSupport.files(in: TestSupport.photos, suffix: ".jpg") {
            let image = try Image(contentsOf: TestSupport.photos + "/" + name)
            #expect(image.channels == 3)
            let small = try image.resized(shorterSide: 36).centerCropped(width: 32, height: 32)
            #expect(small.width == 32 && small.height == 32)
            let chw = try small.normalizedCHW(mean: [0.4914, 0.4822, 0.4465], std: [0.247, 0.243, 0.261])
            #expect(chw.count == 3 * 32 * 32 && chw.allSatisfy { $0.isFinite && abs($0) < 3 })
        }
    }
}
