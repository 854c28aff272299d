extension Image {
    /// An 8-bit image from planar floats (CHW, 1 or 3 channels, e.g. a
    /// generator's output): each value mapped linearly from `range` onto
    /// 0...255, clamped, and rounded to nearest (halves away from zero), so
    /// equal floats always give equal pixels. NaN becomes 0.
    public init<C: Collection>(planar values: C, channels: Int, height: Int, width: Int,
                               range: ClosedRange<Float>) throws where C.Element == Float {
        guard channels == 1 || channels == 3, height > 0, width > 0 else {
            throw ImageError.invalidArgument("planar image needs 1 or 3 channels and a positive size, got \(channels)x\(height)x\(width)")
        }
        guard values.count == channels * height * width else {
            throw ImageError.invalidArgument("\(values.count) values for a \(channels)x\(height)x\(width) image")
        }
        guard range.lowerBound.isFinite, range.upperBound.isFinite, range.upperBound > range.lowerBound else {
            throw ImageError.invalidArgument("the value range \(range) must be finite and non-empty")
        }
        let plane = height * width
        let scale = 255 / (range.upperBound - range.lowerBound)
        var pixels = [UInt8](repeating: 0, count: channels * plane)
        for (i, value) in values.enumerated() {
            let level = ((value - range.lowerBound) * scale).rounded(.toNearestOrAwayFromZero)
            let byte: UInt8 = level.isNaN ? 0 : UInt8(min(255, max(0, level)))
            pixels[(i % plane) * channels + i / plane] = byte
        }
        try self.init(width: width, height: height, channels: channels, pixels: pixels)
    }
}
