import Testing
@testable import DLImage

/// Resize, crop, flip, channel conversion, normalisation and grids on known values.
@Suite struct TransformTests {
    static func gray(_ width: Int, _ height: Int, _ pixels: [UInt8]) -> Image {
        try! Image(width: width, height: height, channels: 1, pixels: pixels)
    }

    @Test func areaAveragingDownscale() throws {
        let image = Self.gray(4, 4, [0, 10, 20, 30,
                                    40, 50, 60, 70,
                                    80, 90, 100, 110,
                                    120, 130, 140, 150])
        let half = try image.resized(width: 2, height: 2)
        #expect(half.pixels == [25, 45, 105, 125])
        // 3 -> 2 covers 1.5 source pixels each: (0 + 0.5 * 90) / 1.5 = 30, (0.5 * 90 + 180) / 1.5 = 150.
        #expect(try Self.gray(3, 1, [0, 90, 180]).resized(width: 2, height: 1).pixels == [30, 150])
        // Averaging, not sampling: a 1-pixel checker shrinks to flat gray (no aliasing).
        let checker = Self.gray(8, 8, (0..<64).map { ($0 / 8 + $0 % 8) % 2 == 0 ? 0 : 255 })
        #expect(try checker.resized(width: 2, height: 2).pixels.allSatisfy { $0 == 128 })
        #expect(try checker.resized(width: 3, height: 3).pixels.allSatisfy { abs(Int($0) - 128) <= 15 })
    }

    @Test func bilinearUpscale() throws {
        #expect(try Self.gray(2, 1, [0, 255]).resized(width: 4, height: 1).pixels == [0, 64, 191, 255])
        let up = try Self.gray(2, 2, [0, 100, 100, 200]).resized(width: 4, height: 4)
        #expect(up[x: 0, y: 0, channel: 0] == 0 && up[x: 3, y: 3, channel: 0] == 200)
        #expect(up[x: 1, y: 1, channel: 0] == 50) // 0.75*0.75*0 + 2*0.75*0.25*100 + 0.25*0.25*200
        // Constant images stay constant at any size, and an identity resize is a copy.
        let flat = try Image(width: 5, height: 7, channels: 3, fill: 77)
        for (w, h) in [(1, 1), (3, 2), (5, 7), (11, 13), (40, 3)] {
            #expect(try flat.resized(width: w, height: h).pixels.allSatisfy { $0 == 77 })
        }
        #expect(try Fixtures.pattern(width: 9, height: 5).resized(width: 9, height: 5) == Fixtures.pattern(width: 9, height: 5))
        #expect(throws: ImageError.self) { try flat.resized(width: 0, height: 3) }
        // Shorter side.
        let wide = try Image(width: 500, height: 332, channels: 3)
        let resized = try wide.resized(shorterSide: 256)
        #expect(resized.height == 256 && resized.width == 386)
    }

    @Test func crops() throws {
        let image = Self.gray(5, 5, (0..<25).map { UInt8($0) })
        #expect(try image.centerCropped(width: 3, height: 3).pixels == [6, 7, 8, 11, 12, 13, 16, 17, 18])
        #expect(try Self.gray(4, 4, (0..<16).map { UInt8($0) }).centerCropped(width: 3, height: 3).pixels == [0, 1, 2, 4, 5, 6, 8, 9, 10])
        #expect(try image.cropped(x: 3, y: 4, width: 2, height: 1).pixels == [23, 24])
        #expect(throws: ImageError.self) { try image.cropped(x: 4, y: 0, width: 2, height: 1) }
        #expect(throws: ImageError.self) { try image.centerCropped(width: 6, height: 1) }
        #expect(Self.gray(3, 1, [1, 2, 3]).flippedHorizontally().pixels == [3, 2, 1])
        let rgb = try Image(width: 2, height: 1, channels: 3, pixels: [1, 2, 3, 4, 5, 6])
        #expect(rgb.flippedHorizontally().pixels == [4, 5, 6, 1, 2, 3])
    }

    @Test func channelConversion() throws {
        let rgb = try Image(width: 2, height: 1, channels: 3, pixels: [255, 0, 0, 10, 20, 30])
        #expect(try rgb.converted(toChannels: 1).pixels == [76, 18]) // 0.299 * 255 = 76.2; 2.99 + 11.74 + 3.42 = 18.15
        #expect(try Self.gray(1, 1, [9]).converted(toChannels: 3).pixels == [9, 9, 9])
        let rgba = try Image(width: 1, height: 1, channels: 4, pixels: [0, 0, 0, 128])
        #expect(try rgba.converted(toChannels: 3).pixels == [127, 127, 127]) // half black over white
        #expect(try rgb.converted(toChannels: 4).pixels == [255, 0, 0, 255, 10, 20, 30, 255])
        #expect(throws: ImageError.self) { try rgb.converted(toChannels: 2) }
    }

    @Test func normalizedCHW() throws {
        let rgb = try Image(width: 2, height: 1, channels: 3, pixels: [255, 0, 51, 0, 255, 102])
        let chw = try rgb.normalizedCHW(mean: [0.5], std: [0.5])
        let expected: [Float] = [1, -1, -1, 1, -0.6, -0.2] // CHW: R(p0, p1), G(p0, p1), B(p0, p1)
        #expect(zip(chw, expected).allSatisfy { abs($0 - $1) < 1e-5 }, "\(chw)")
        // Pixel range 0...255 with per-channel mean/std in that scale.
        let scaled = try rgb.normalizedCHW(mean: [0, 255, 51], std: [255, 1, 51], range: 0...255)
        let expectedScaled: [Float] = [1, 0, -255, 0, 0, 1]
        #expect(zip(scaled, expectedScaled).allSatisfy { abs($0 - $1) < 1e-4 }, "\(scaled)")
        // Range -1...1, identity normalisation.
        #expect(try Self.gray(2, 1, [0, 255]).normalizedCHW(range: -1...1) == [-1, 1])
        #expect(throws: ImageError.self) { try rgb.normalizedCHW(mean: [0, 0], std: [1]) }
        #expect(throws: ImageError.self) { try rgb.normalizedCHW(mean: [0], std: [0]) }
    }

    @Test func grid() throws {
        let a = Self.gray(2, 2, [1, 1, 1, 1])
        let b = Self.gray(2, 2, [2, 2, 2, 2])
        let c = Self.gray(2, 2, [3, 3, 3, 3])
        let grid = try Image.grid([a, b, c], columns: 2, padding: 1)
        #expect(grid.width == 7 && grid.height == 7 && grid.channels == 1)
        #expect(grid[x: 1, y: 1, channel: 0] == 1 && grid[x: 4, y: 2, channel: 0] == 2 && grid[x: 2, y: 5, channel: 0] == 3)
        #expect(grid[x: 0, y: 0, channel: 0] == 0 && grid[x: 3, y: 1, channel: 0] == 0 && grid[x: 5, y: 5, channel: 0] == 0)
        // Mixed channels promote to RGB; the result encodes.
        let mixed = try Image.grid([a, try Image(width: 2, height: 2, channels: 3, fill: 9)], columns: 1, padding: 0, background: 255)
        #expect(mixed.channels == 3 && mixed.width == 2 && mixed.height == 4)
        #expect(mixed.pixels[0..<3] == [1, 1, 1] && mixed.pixels[12..<15] == [9, 9, 9])
        #expect(try Image(data: mixed.pngData()) == mixed)
        #expect(throws: ImageError.self) { try Image.grid([], columns: 1) }
        #expect(throws: ImageError.self) { try Image.grid([a, Self.gray(1, 1, [0])], columns: 2) }
    }

    @Test func invalidGeometry() {
        #expect(throws: ImageError.self) { try Image(width: 2, height: 2, channels: 3, pixels: [0]) }
        #expect(throws: ImageError.self) { try Image(width: 2, height: 2, channels: 2) }
        #expect(throws: ImageError.self) { try Image(width: -1, height: 2, channels: 1) }
        #expect(throws: ImageError.self) { try Image(width: Int.max, height: 2, channels: 1) }
    }
}
