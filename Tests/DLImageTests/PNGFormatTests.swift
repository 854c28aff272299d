import Testing
@testable import DLImage

/// Every PNG colour type and bit depth, palette and tRNS, alpha over a chosen
/// background, and Adam7 interlacing, on files built here from the PNG spec.
/// Expected pixels come from the spec's rules (a `depth`-bit sample v is
/// v * 255 / (2^depth - 1); tRNS makes matching pixels transparent) and the
/// compositing rule docs/IMAGES.md documents, never from the decoder.
@Suite struct PNGFormatTests {
    /// Sizes that leave some Adam7 passes empty (3x2, 1x1) and fill all of them (13x9).
    static let sizes = [(13, 9), (3, 2), (1, 1)]
    static let background: (red: UInt8, green: UInt8, blue: UInt8) = (10, 200, 30)
    /// The documented gray background: the background colour's BT.601 luma, rounded.
    static let backgroundLuma = (299 * 10 + 587 * 200 + 114 * 30 + 500) / 1000

    /// A `depth`-bit sample scaled to 8 bits, rounded to nearest.
    static func to8(_ value: Int, depth: Int) -> Int {
        Int((Double(value) * 255 / Double((1 << depth) - 1)).rounded())
    }

    /// 8-bit `sample` at `alpha` over `background`, rounded to nearest.
    static func over8(_ sample: Int, _ alpha: Int, _ background: Int) -> Int {
        Int((Double(sample * alpha + background * (255 - alpha)) / 255).rounded())
    }

    /// 16-bit `sample` at 16-bit `alpha` over the 8-bit `background` widened to 16 bits, composited
    /// at 16 bits and then rounded to 8 (docs/IMAGES.md).
    static func over16(_ sample: Int, _ alpha: Int, _ background: Int) -> Int {
        let mixed = (Double(sample * alpha) + Double(background * 257 * (65535 - alpha))) / 65535
        return to8(Int(mixed.rounded()), depth: 16)
    }

    /// Samples over the whole range of `depth` bits, the extremes first.
    static func samples(_ count: Int, depth: Int, seed: UInt64) -> [Int] {
        var random = Fixtures.Random(state: seed)
        let top = (1 << depth) - 1
        return (0..<count).map { i in i == 0 ? 0 : i == 1 ? top : random.below(top + 1) }
    }

    /// Decodes `bytes` and its interlaced twin and checks both against `expected`.
    static func check(_ make: (Bool) -> [UInt8], options: DecodeOptions, width: Int, height: Int, channels: Int,
                      expected: [Int], _ name: String) throws {
        for interlaced in [false, true] {
            let image = try Image(data: make(interlaced), options: options)
            #expect(image.width == width && image.height == height && image.channels == channels,
                    "\(name) interlaced \(interlaced): \(image.width)x\(image.height)x\(image.channels)")
            #expect(image.pixels.map(Int.init) == expected, "\(name) interlaced \(interlaced)")
        }
    }

    /// Gray at 1, 2, 4, 8, 16 bits and RGB at 8, 16: opaque, every sample scaled.
    @Test(arguments: [(UInt8(0), 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16)])
    func opaqueGrayAndRGB(colorType: UInt8, depth: Int) throws {
        for (width, height) in Self.sizes {
            let spp = colorType == 0 ? 1 : 3
            let values = Self.samples(width * height * spp, depth: depth, seed: UInt64(depth * 10 + width))
            try Self.check({ Fixtures.png(width: width, height: height, depth: depth, colorType: colorType, samples: values, interlaced: $0) },
                           options: DecodeOptions(), width: width, height: height, channels: spp,
                           expected: values.map { Self.to8($0, depth: depth) }, "type \(colorType) depth \(depth) \(width)x\(height)")
        }
    }

    /// Palette at 1, 2, 4, 8 bits, without and with tRNS (fewer alphas than entries: the rest are opaque).
    @Test(arguments: [1, 2, 4, 8])
    func palette(depth: Int) throws {
        let entries = 1 << depth
        var random = Fixtures.Random(state: UInt64(depth))
        let colors = (0..<entries).map { _ in [random.below(256), random.below(256), random.below(256)] }
        let alphas = (0..<max(1, entries / 2)).map { $0 == 0 ? 0 : random.below(256) }
        let plte = Fixtures.chunk("PLTE", colors.flatMap { $0.map(UInt8.init) })
        let trns = Fixtures.chunk("tRNS", alphas.map(UInt8.init))
        let bg = [Int(Self.background.red), Int(Self.background.green), Int(Self.background.blue)]
        for (width, height) in Self.sizes {
            let indices = Self.samples(width * height, depth: depth, seed: UInt64(depth + width))
            func file(_ chunks: [[UInt8]]) -> (Bool) -> [UInt8] {
                { Fixtures.png(width: width, height: height, depth: depth, colorType: 3, samples: indices, interlaced: $0, chunksBeforeIDAT: chunks) }
            }
            let name = "palette depth \(depth) \(width)x\(height)"
            try Self.check(file([plte]), options: DecodeOptions(background: Self.background), width: width, height: height,
                           channels: 3, expected: indices.flatMap { colors[$0] }, name)
            let alpha = { (i: Int) in i < alphas.count ? alphas[i] : 255 }
            try Self.check(file([plte, trns]), options: DecodeOptions(background: Self.background), width: width, height: height,
                           channels: 3, expected: indices.flatMap { i in (0..<3).map { Self.over8(colors[i][$0], alpha(i), bg[$0]) } },
                           name + " + tRNS over the background")
            try Self.check(file([plte, trns]), options: DecodeOptions(keepAlpha: true), width: width, height: height,
                           channels: 4, expected: indices.flatMap { colors[$0] + [alpha($0)] }, name + " + tRNS kept")
        }
    }

    /// Gray + alpha and RGBA at 8 and 16 bits: composited over the background, or kept.
    @Test(arguments: [(UInt8(4), 8), (4, 16), (6, 8), (6, 16)])
    func alphaChannel(colorType: UInt8, depth: Int) throws {
        let colors = colorType == 4 ? 1 : 3
        let bg = colors == 1 ? [Self.backgroundLuma] : [Int(Self.background.red), Int(Self.background.green), Int(Self.background.blue)]
        for (width, height) in Self.sizes {
            let values = Self.samples(width * height * (colors + 1), depth: depth, seed: UInt64(depth + Int(colorType) + width))
            let pixels = stride(from: 0, to: values.count, by: colors + 1).map { Array(values[$0..<($0 + colors + 1)]) }
            let make = { (interlaced: Bool) in
                Fixtures.png(width: width, height: height, depth: depth, colorType: colorType, samples: values, interlaced: interlaced)
            }
            let composited = pixels.flatMap { p in
                (0..<colors).map { c in depth == 8 ? Self.over8(p[c], p[colors], bg[c]) : Self.over16(p[c], p[colors], bg[c]) }
            }
            let name = "type \(colorType) depth \(depth) \(width)x\(height)"
            try Self.check(make, options: DecodeOptions(background: Self.background), width: width, height: height,
                           channels: colors, expected: composited, name + " over the background")
            // Kept: RGBA, gray replicated, every sample (alpha too) scaled to 8 bits.
            let kept = pixels.flatMap { p in (colors == 1 ? [p[0], p[0], p[0], p[1]] : p).map { Self.to8($0, depth: depth) } }
            try Self.check(make, options: DecodeOptions(keepAlpha: true), width: width, height: height,
                           channels: 4, expected: kept, name + " kept")
        }
    }

    /// tRNS on gray (every depth) and RGB (8, 16): pixels equal to the key are fully transparent.
    @Test(arguments: [(UInt8(0), 1), (0, 2), (0, 4), (0, 8), (0, 16), (2, 8), (2, 16)])
    func transparentColorKey(colorType: UInt8, depth: Int) throws {
        let spp = colorType == 0 ? 1 : 3
        let (width, height) = (13, 9)
        var values = Self.samples(width * height * spp, depth: depth, seed: UInt64(depth * 3 + Int(colorType)))
        let key = Array(values[(5 * spp)..<(6 * spp)]) // pixel 5's colour, repeated below
        for pixel in [20, 21, 60] { values.replaceSubrange((pixel * spp)..<((pixel + 1) * spp), with: key) }
        let trns = Fixtures.chunk("tRNS", key.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        let bg = spp == 1 ? [Self.backgroundLuma] : [Int(Self.background.red), Int(Self.background.green), Int(Self.background.blue)]
        let pixels = stride(from: 0, to: values.count, by: spp).map { Array(values[$0..<($0 + spp)]) }
        let expected = pixels.flatMap { p in p == key ? bg : p.map { Self.to8($0, depth: depth) } }
        #expect(expected.count == width * height * spp && pixels.filter { $0 == key }.count >= 4)
        try Self.check({ Fixtures.png(width: width, height: height, depth: depth, colorType: colorType, samples: values,
                                      interlaced: $0, chunksBeforeIDAT: [trns]) },
                       options: DecodeOptions(background: Self.background), width: width, height: height, channels: spp,
                       expected: expected, "tRNS type \(colorType) depth \(depth)")
    }

    /// The default background is white: a fully transparent pixel comes out 255.
    @Test func defaultBackgroundIsWhite() throws {
        let bytes = Fixtures.png(width: 2, height: 1, depth: 8, colorType: 6, samples: [0, 0, 0, 0, 0, 0, 0, 255])
        #expect(try Image(data: bytes).pixels == [255, 255, 255, 0, 0, 0])
        let gray = Fixtures.png(width: 2, height: 1, depth: 8, colorType: 4, samples: [0, 0, 0, 128])
        #expect(try Image(data: gray).pixels == [255, UInt8(Self.over8(0, 128, 255))])
    }
}
