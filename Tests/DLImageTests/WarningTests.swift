import Foundation
import Testing
@testable import DLImage

/// libpng and libjpeg warnings are captured in `DecodedImage`, never printed;
/// their errors never reach stderr or exit() either.
@Suite struct WarningTests {
    static let cleanPNG = Fixtures.png(width: 3, height: 2, depth: 8, colorType: 0, samples: [0, 50, 100, 150, 200, 250])
    static let cleanJPEG = try! Fixtures.pattern(width: 24, height: 16).jpegData(quality: 90)

    /// A PNG with a 6-byte tIME chunk (the spec says 7): libpng ignores it with a warning.
    static var pngWithInvalidTime: [UInt8] {
        Array(cleanPNG[..<33]) + Fixtures.chunk("tIME", [0x07, 0xE8, 1, 2, 3, 4]) + Array(cleanPNG[33...])
    }

    /// A JPEG with 3 stray bytes before EOI: libjpeg skips them with a warning.
    static var jpegWithExtraneousBytes: [UInt8] { Array(cleanJPEG.dropLast(2)) + [1, 2, 3, 0xFF, 0xD9] }

    @Test func cleanFilesHaveNoWarnings() throws {
        for bytes in [Self.cleanPNG, Self.cleanJPEG] {
            let decoded = try Image.decode(bytes)
            #expect(decoded.warningCount == 0 && decoded.firstWarning == nil)
        }
    }

    @Test func pngWarningCaptured() throws {
        let decoded = try Image.decode(Self.pngWithInvalidTime)
        #expect(decoded.image == (try Image(data: Self.cleanPNG)))
        #expect(decoded.warningCount >= 1)
        #expect(decoded.firstWarning?.hasPrefix("PNG: tIME") == true, "\(decoded.firstWarning ?? "nil")")
    }

    @Test func jpegWarningCaptured() throws {
        let decoded = try Image.decode(Self.jpegWithExtraneousBytes)
        #expect(decoded.image == (try Image(data: Self.cleanJPEG)))
        #expect(decoded.warningCount == 1)
        // libjpeg counts 2 of the 3: the entropy decoder's bit buffer has already taken one.
        #expect(decoded.firstWarning?.contains("extraneous bytes before marker 0xd9") == true, "\(decoded.firstWarning ?? "nil")")
        // Warnings survive EXIF orientation (which makes a new buffer).
        let rotated = try Image.decode(Fixtures.insertAfterSOI(Self.jpegWithExtraneousBytes, Fixtures.exifSegment(orientation: 6, littleEndian: true)))
        #expect(rotated.image.width == 16 && rotated.warningCount == 1)
    }

    /// Warnings, errors and the 12-bit refusal, decoded with stderr redirected: nothing of the codecs' appears there.
    @Test func nothingPrinted() throws {
        let truncatedJPEG = Array(Self.cleanJPEG.dropLast(40))
        var twelveBit = Self.cleanJPEG
        if let sof = Fixtures.jpegSegment(twelveBit, marker: 0xC0) { twelveBit[sof + 4] = 12 }
        let truncatedPNG = Array(Self.cleanPNG.dropLast(20))
        let printed = try TestSupport.capturingStandardError {
            _ = try Image.decode(Self.pngWithInvalidTime)
            _ = try Image.decode(Self.jpegWithExtraneousBytes)
            for bytes in [truncatedJPEG, twelveBit, truncatedPNG, [0xFF, 0xD8, 0xFF]] {
                #expect(throws: ImageError.self) { try Image(data: bytes) }
            }
            fputs("stderr-capture-check\n", stderr) // proves the redirection catches what is printed
        }
        #expect(printed.contains("stderr-capture-check"))
        for codecText in ["libpng", "Corrupt JPEG", "extraneous", "Premature end", "tIME", "precision"] {
            #expect(!printed.contains(codecText), "stderr got codec output: \(printed)")
        }
    }
}
