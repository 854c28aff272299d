extension Image {
    /// The `width` x `height` rectangle whose top-left corner is (`x`, `y`).
    public func cropped(x: Int, y: Int, width cropWidth: Int, height cropHeight: Int) throws -> Image {
        guard cropWidth > 0, cropHeight > 0, x >= 0, y >= 0, x <= width - cropWidth, y <= height - cropHeight else {
            throw ImageError.invalidArgument(
                "crop \(cropWidth)x\(cropHeight) at (\(x), \(y)) is outside the \(width)x\(height) image")
        }
        var out = [UInt8]()
        out.reserveCapacity(cropWidth * cropHeight * channels)
        for row in y..<(y + cropHeight) {
            let start = (row * width + x) * channels
            out.append(contentsOf: pixels[start..<(start + cropWidth * channels)])
        }
        return Image(unchecked: cropWidth, cropHeight, channels, out)
    }

    /// The centred `width` x `height` rectangle (offsets rounded down, as torchvision's
    /// CenterCrop rounds `(W - w) / 2`).
    public func centerCropped(width cropWidth: Int, height cropHeight: Int) throws -> Image {
        guard cropWidth <= width, cropHeight <= height else {
            throw ImageError.invalidArgument("center crop \(cropWidth)x\(cropHeight) is larger than the \(width)x\(height) image")
        }
        return try cropped(x: (width - cropWidth) / 2, y: (height - cropHeight) / 2, width: cropWidth, height: cropHeight)
    }

    /// Mirrored left to right.
    public func flippedHorizontally() -> Image {
        var out = pixels
        let c = channels
        for y in 0..<height {
            let row = y * width * c
            for x in 0..<width {
                let src = row + (width - 1 - x) * c
                for ch in 0..<c { out[row + x * c + ch] = pixels[src + ch] }
            }
        }
        return Image(unchecked: width, height, c, out)
    }
}
