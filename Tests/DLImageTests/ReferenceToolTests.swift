import Testing
@testable import DLImage

/// Files made here (no ../shared needed) decode to what the Debian tools decode
/// them to: libpng's through `pngtopnm`, libjpeg's through `djpeg`, EXIF
/// orientation through `djpeg | pamflip`; and what we encode, they read back.
@Suite struct ReferenceToolTests {
    /// Every colour type and depth, palette + tRNS, alpha, interlaced or not, 13x9.
    static func handBuiltPNGs() -> [(String, [UInt8])] {
        var files: [(String, [UInt8])] = []
        var random = Fixtures.Random(state: 2024)
        let (width, height) = (13, 9)
        for (colorType, depths) in [(UInt8(0), [1, 2, 4, 8, 16]), (2, [8, 16]), (3, [1, 2, 4, 8]), (4, [8, 16]), (6, [8, 16])] {
            for depth in depths {
                let spp = Fixtures.samplesPerPixel(colorType: colorType)
                let top = (1 << depth) - 1
                let samples = (0..<(width * height * spp)).map { _ in random.below(top + 1) }
                var chunks: [[UInt8]] = []
                if colorType == 3 {
                    chunks.append(Fixtures.chunk("PLTE", random.bytes(3 * (top + 1))))
                    chunks.append(Fixtures.chunk("tRNS", random.bytes((top + 1) / 2 + 1)))
                } else if colorType == 0 {
                    // A transparent key equal to the first pixel's gray. (Not for RGB: Netpbm 11.1's
                    // pngtopnm ignores an RGB tRNS key; PNGFormatTests checks those against the spec.)
                    chunks.append(Fixtures.chunk("tRNS", samples[0..<spp].flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }))
                }
                for interlaced in [false, true] {
                    files.append(("type\(colorType)-depth\(depth)\(interlaced ? "-interlaced" : "").png",
                                  Fixtures.png(width: width, height: height, depth: depth, colorType: colorType, samples: samples,
                                               interlaced: interlaced, chunksBeforeIDAT: chunks)))
                }
            }
        }
        return files
    }

    @Test(.enabled(if: ReferenceTools.pngtopnmPath != nil, ReferenceTools.pngtopnmMissing))
    func handBuiltPNGsMatchPngtopnm() throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let files = Self.handBuiltPNGs()
        #expect(files.count == 30)
        for (name, bytes) in files {
            let path = directory + "/" + name
            try TestSupport.write(bytes, to: path)
            let reference = try #require(ReferenceTools.pngtopnm(path), "pngtopnm failed on \(name)")
            // Partial alpha (types 3, 4, 6) is mixed by pngtopnm in its own rounding order: 1 apart at most.
            // A gray key (tRNS) is all-or-nothing, so that matches exactly.
            let tolerance = name.hasPrefix("type0") || name.hasPrefix("type2") ? 0 : 1
            let worst = try #require(try ReferenceTools.worstDifference(Image(contentsOf: path), reference), "\(name): size differs")
            #expect(worst <= tolerance, "\(name): max difference \(worst) from pngtopnm (tolerance \(tolerance))")
        }
    }

    @Test(.enabled(if: ReferenceTools.pngtopnmPath != nil, ReferenceTools.pngtopnmMissing), arguments: [1, 3, 4])
    func encodedPNGReadByPngtopnm(channels: Int) throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let image = Fixtures.pattern(width: 37, height: 23, channels: channels)
        let path = directory + "/encoded.png"
        try image.writePNG(to: path)
        let colour = try #require(ReferenceTools.pngtopnm(path))
        #expect(colour.width == 37 && colour.height == 23)
        // With alpha, -mix composites over white: the same as dropping alpha over white here.
        #expect(colour.pixels == (try image.converted(toChannels: channels == 1 ? 1 : 3)).pixels)
        if channels == 4 {
            let alpha = try #require(ReferenceTools.pngtopnm(path, alphaOnly: true))
            #expect(alpha.pixels == stride(from: 3, to: image.pixels.count, by: 4).map { image.pixels[$0] })
        }
        let grid = try Image.grid([image, image, image], columns: 2, padding: 3, background: 40)
        try grid.writePNG(to: path)
        #expect(try ReferenceTools.worstDifference(try grid.converted(toChannels: channels == 1 ? 1 : 3),
                                                   #require(ReferenceTools.pngtopnm(path))) == 0)
    }

    /// JPEGs of every kind our encoder (libjpeg) writes, with sizes that are not multiples of the MCU.
    static func generatedJPEGs() throws -> [(String, [UInt8])] {
        let rgb = Fixtures.pattern(width: 75, height: 53)
        let gray = try rgb.converted(toChannels: 1)
        var files = [("baseline.jpg", try rgb.jpegData(quality: 90)), ("progressive.jpg", try rgb.jpegData(quality: 75, progressive: true)),
                     ("gray.jpg", try gray.jpegData(quality: 90)), ("gray-progressive.jpg", try gray.jpegData(progressive: true))]
        // CMYK and YCCK with the Adobe marker, as Photoshop writes them.
        let cmyk = Fixtures.pattern(width: 75, height: 53, channels: 4)
        for ycck in [false, true] {
            files.append((ycck ? "ycck.jpg" : "cmyk.jpg", try Fixtures.cmykJPEG(cmyk.pixels, width: 75, height: 53, quality: 90, ycck: ycck)))
        }
        return files
    }

    @Test(.enabled(if: ReferenceTools.djpegPath != nil, ReferenceTools.djpegMissing))
    func generatedJPEGsMatchDjpeg() throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        for (name, bytes) in try Self.generatedJPEGs() {
            let path = directory + "/" + name
            try TestSupport.write(bytes, to: path)
            let reference = try #require(ReferenceTools.djpeg(path), "djpeg failed on \(name)")
            let image = try Image(contentsOf: path)
            #expect(image.channels == reference.channels, "\(name)")
            #expect(try ReferenceTools.worstDifference(image, reference) == 0, "\(name): pixels differ from djpeg")
        }
    }

    /// The reduced decode is libjpeg's scaled IDCT, pixel for pixel `djpeg -scale 1/N`.
    @Test(.enabled(if: ReferenceTools.djpegPath != nil, ReferenceTools.djpegMissing))
    func scaledDecodeMatchesDjpegScale() throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let path = directory + "/large.jpg"
        try TestSupport.write(try Fixtures.pattern(width: 403, height: 301).jpegData(quality: 85), to: path)
        for (minimum, denominator) in [((400, 300), 1), ((200, 150), 2), ((101, 76), 4), ((51, 38), 8), ((1, 1), 8)] {
            let image = try Image(contentsOf: path, options: DecodeOptions(minimumSize: minimum))
            let reference = try #require(ReferenceTools.djpeg(path, scaleDenominator: denominator))
            #expect(image.width == reference.width && image.height == reference.height, "1/\(denominator)")
            #expect(image.width >= minimum.0 && image.height >= minimum.1)
            #expect(try ReferenceTools.worstDifference(image, reference) == 0, "1/\(denominator): pixels differ from djpeg")
        }
    }

    /// Each EXIF orientation gives djpeg's (stored) decode transformed by pamflip as the EXIF
    /// spec says: 2 mirror, 3 rotate 180, 4 flip, 5 transpose, 6 rotate 90 clockwise,
    /// 7 transverse, 8 rotate 90 counter-clockwise.
    @Test(.enabled(if: ReferenceTools.djpegPath != nil && ReferenceTools.pamflipPath != nil, ReferenceTools.orientationToolsMissing))
    func exifOrientationMatchesPamflip() throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let xforms = [2: "leftright", 3: "leftright,topbottom", 4: "topbottom", 5: "transpose",
                      6: "transpose,leftright", 7: "transpose,leftright,topbottom", 8: "transpose,topbottom"]
        let jpeg = try Fixtures.pattern(width: 45, height: 28).jpegData(quality: 90)
        for orientation in 1...8 {
            let path = directory + "/orientation\(orientation).jpg"
            try TestSupport.write(Fixtures.insertAfterSOI(jpeg, Fixtures.exifSegment(orientation: UInt16(orientation), littleEndian: orientation % 2 == 0)), to: path)
            let stored = directory + "/stored\(orientation).ppm"
            try TestSupport.write(try #require(TestSupport.run(ReferenceTools.djpegPath!, ["-pnm", path])), to: stored)
            let reference = try #require(orientation == 1 ? TestSupport.run(ReferenceTools.djpegPath!, ["-pnm", path]).flatMap(PNM.init)
                                                          : ReferenceTools.pamflip(stored, xform: xforms[orientation]!))
            let image = try Image(contentsOf: path)
            #expect(try ReferenceTools.worstDifference(image, reference) == 0, "orientation \(orientation)")
        }
    }
}
