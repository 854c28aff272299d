import Testing
@testable import DLImage

/// The input contract: resize rule, centre crop, channel order and
/// normalisation, on images whose expected tensors are worked out by hand.
@Suite struct ImageInputContractTests {
    /// `(v / 255 * (hi - lo) + lo - mean) / std`, the formula docs/FORMAT.md gives.
    static func normalized(_ v: Int, lo: Float = 0, hi: Float = 1, mean: Float, std: Float) -> Float {
        (Float(v) / 255 * (hi - lo) + lo - mean) / std
    }

    static func close(_ a: [Float], _ b: [Float]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= 1e-5 }
    }

    /// 6x4 gray in 2x2 blocks of value 40 * block column + 100 * block row; resize shorter side
    /// to 2 averages each block (giving 3x2: 0 40 80 / 100 140 180), the 2x2 centre crop starts
    /// at column (3 - 2) / 2 = 0.
    @Test func centerCropOnKnownBlocks() throws {
        var image = try Image(width: 6, height: 4, channels: 1)
        for y in 0..<4 { for x in 0..<6 { image[x: x, y: y, channel: 0] = UInt8(40 * (x / 2) + 100 * (y / 2)) } }
        let contract = try ImageInputContract(width: 2, height: 2, channelOrder: .gray, mean: [0.5], std: [0.25],
                                              resize: .centerCrop(shorterSide: 2))
        #expect(try contract.fitted(image).pixels == [0, 40, 100, 140])
        let expected = [0, 40, 100, 140].map { Self.normalized($0, mean: 0.5, std: 0.25) }
        #expect(Self.close(try contract.tensor(from: image), expected))
        // Portrait: the crop is centred vertically, (3 - 2) / 2 = row 0 of the 2x3 resize.
        var portrait = try Image(width: 4, height: 6, channels: 1)
        for y in 0..<6 { for x in 0..<4 { portrait[x: x, y: y, channel: 0] = UInt8(40 * (x / 2) + 100 * (y / 2)) } }
        #expect(try contract.fitted(portrait).pixels == [0, 40, 100, 140])
    }

    /// Stretch ignores the aspect ratio: 4x2 -> 2x2 averages horizontal pairs only.
    @Test func stretch() throws {
        let image = try Image(width: 4, height: 2, channels: 1, pixels: [0, 100, 200, 50, 10, 30, 60, 90])
        let contract = try ImageInputContract(width: 2, height: 2, channelOrder: .gray, resize: .stretch)
        #expect(try contract.fitted(image).pixels == [50, 125, 20, 75])
        #expect(Self.close(try contract.tensor(from: image), [50, 125, 20, 75].map { Float($0) / 255 }))
        // Upscaling by stretch is bilinear: 1x1 -> 3x2 is flat.
        let up = try ImageInputContract(width: 3, height: 2, channelOrder: .gray).fitted(try Image(width: 1, height: 1, channels: 1, fill: 7))
        #expect(up.pixels == [7, 7, 7, 7, 7, 7])
    }

    /// RGB vs BGR: the planes come out in the model's order, and mean/std are in that order too.
    @Test func channelOrders() throws {
        let image = try Image(width: 1, height: 1, channels: 3, pixels: [10, 20, 30])
        let mean: [Float] = [0.1, 0.2, 0.3], std: [Float] = [0.5, 0.25, 0.125]
        let rgb = try ImageInputContract(width: 1, height: 1, channelOrder: .rgb, mean: mean, std: std)
        #expect(Self.close(try rgb.tensor(from: image), [Self.normalized(10, mean: 0.1, std: 0.5),
                                                         Self.normalized(20, mean: 0.2, std: 0.25),
                                                         Self.normalized(30, mean: 0.3, std: 0.125)]))
        let bgr = try ImageInputContract(width: 1, height: 1, channelOrder: .bgr, mean: mean, std: std)
        #expect(Self.close(try bgr.tensor(from: image), [Self.normalized(30, mean: 0.1, std: 0.5),
                                                         Self.normalized(20, mean: 0.2, std: 0.25),
                                                         Self.normalized(10, mean: 0.3, std: 0.125)]))
        // Gray model, colour image: BT.601 luma (0.299 * 10 + 0.587 * 20 + 0.114 * 30 = 18.15 -> 18).
        let gray = try ImageInputContract(width: 1, height: 1, channelOrder: .gray, pixelRange: -1...1)
        #expect(Self.close(try gray.tensor(from: image), [Self.normalized(18, lo: -1, hi: 1, mean: 0, std: 1)]))
        // Colour model, gray image: replicated; RGBA: over white.
        #expect(try rgb.fitted(try Image(width: 1, height: 1, channels: 1, fill: 9)).pixels == [9, 9, 9])
        #expect(try rgb.fitted(try Image(width: 1, height: 1, channels: 4, pixels: [0, 0, 0, 0])).pixels == [255, 255, 255])
    }

    /// Bit-identical to the plain formula evaluated left to right in Float, for every sample value.
    @Test func normalisationMatchesTheFormulaExactly() throws {
        let contract = try ImageInputContract(width: 256, height: 1, channelOrder: .gray, pixelRange: -1...1, mean: [0.1307], std: [0.3081])
        let ramp = try Image(width: 256, height: 1, channels: 1, pixels: (0...255).map(UInt8.init))
        #expect(try contract.tensor(from: ramp) == (0...255).map { Self.normalized($0, lo: -1, hi: 1, mean: 0.1307, std: 0.3081) })
    }

    @Test func metadataNames() throws {
        #expect(try ImageInputContract.Resize(metadataName: "stretch", shorterSide: nil) == .stretch)
        #expect(try ImageInputContract.Resize(metadataName: "center-crop", shorterSide: 256) == .centerCrop(shorterSide: 256))
        #expect(ImageInputContract.Resize.centerCrop(shorterSide: 36).metadataName == "center-crop")
        #expect(ImageInputContract.ChannelOrder(rawValue: "BGR") == .bgr && ImageInputContract.ChannelOrder(rawValue: "bgr") == nil)
        #expect(throws: ImageError.self) { try ImageInputContract.Resize(metadataName: "center-crop", shorterSide: nil) }
        #expect(throws: ImageError.self) { try ImageInputContract.Resize(metadataName: "letterbox", shorterSide: 3) }
    }

    @Test func invalidContractsRefused() {
        #expect(throws: ImageError.self) { try ImageInputContract(width: 0, height: 4) }
        #expect(throws: ImageError.self) { try ImageInputContract(width: 4, height: 4, pixelRange: 1...1) }
        #expect(throws: ImageError.self) { try ImageInputContract(width: 4, height: 4, mean: [0, 0]) }
        #expect(throws: ImageError.self) { try ImageInputContract(width: 4, height: 4, std: [1, 0, 1]) }
        #expect(throws: ImageError.self) { try ImageInputContract(width: 4, height: 4, channelOrder: .gray, mean: [0, 0, 0]) }
        #expect(throws: ImageError.self) { try ImageInputContract(width: 8, height: 4, resize: .centerCrop(shorterSide: 6)) }
        #expect(throws: Never.self) { try ImageInputContract(width: 8, height: 4, resize: .centerCrop(shorterSide: 8)) }
    }

    /// A large JPEG through the contract: decoded at a reduced scale (1/4 here), and the tensor
    /// stays close to the one from the full-size decode.
    @Test func reducedDecodeThroughTheContract() throws {
        let directory = try TestSupport.makeTempDirectory()
        defer { TestSupport.removeDirectory(directory) }
        let path = directory + "/photo.jpg"
        try TestSupport.write(try Fixtures.pattern(width: 512, height: 384).jpegData(quality: 90), to: path)
        let contract = try ImageInputContract(width: 56, height: 56, mean: [0.5], std: [0.5], resize: .centerCrop(shorterSide: 64))
        let options = contract.decodeOptions()
        #expect(options.minimumSize?.width == 64 && options.minimumSize?.height == 64)
        let reduced = try Image(contentsOf: path, options: options)
        #expect(reduced.width == 128 && reduced.height == 96)
        let fast = try contract.tensor(contentsOf: path)
        let exact = try contract.tensor(from: Image(contentsOf: path))
        #expect(fast.count == 3 * 56 * 56)
        let meanDifference = zip(fast, exact).map { abs($0 - $1) }.reduce(0, +) / Float(fast.count)
        #expect(meanDifference < 0.03, "mean |difference| \(meanDifference) (in units of std 0.5: \(meanDifference * 0.5 * 255) levels)")
        // Stretch asks for the input size itself.
        let stretch = try ImageInputContract(width: 40, height: 30).decodeOptions()
        #expect(stretch.minimumSize?.width == 40 && stretch.minimumSize?.height == 30)
    }
}
