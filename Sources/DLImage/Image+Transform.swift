extension Image {
    /// Resized to `width` x `height`. Each axis is resampled on its own:
    /// shrinking averages the source pixels each output pixel covers (area
    /// averaging, weighted by partial coverage, so no aliasing); enlarging is
    /// bilinear with half-pixel centres (as PIL and `align_corners=false`).
    public func resized(width newWidth: Int, height newHeight: Int) throws -> Image {
        try Image.validate(width: newWidth, height: newHeight, channels: channels)
        if newWidth == width && newHeight == height { return self }
        let horizontal = ResampleWeights(source: width, destination: newWidth)
        let vertical = ResampleWeights(source: height, destination: newHeight)
        let c = channels
        // Horizontal pass into floats: height x newWidth x c.
        var temp = [Float](repeating: 0, count: height * newWidth * c)
        pixels.withUnsafeBufferPointer { src in
            temp.withUnsafeMutableBufferPointer { dst in
                for y in 0..<height {
                    let srcRow = y * width * c
                    let dstRow = y * newWidth * c
                    for x in 0..<newWidth {
                        for k in horizontal.offsets[x]..<horizontal.offsets[x + 1] {
                            let weight = horizontal.weights[k]
                            let base = srcRow + horizontal.indices[k] * c
                            for ch in 0..<c { dst[dstRow + x * c + ch] += weight * Float(src[base + ch]) }
                        }
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: newHeight * newWidth * c)
        let rowLength = newWidth * c
        temp.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                var accumulator = [Float](repeating: 0, count: rowLength)
                for y in 0..<newHeight {
                    for i in 0..<rowLength { accumulator[i] = 0 }
                    for k in vertical.offsets[y]..<vertical.offsets[y + 1] {
                        let weight = vertical.weights[k]
                        let base = vertical.indices[k] * rowLength
                        for i in 0..<rowLength { accumulator[i] += weight * src[base + i] }
                    }
                    for i in 0..<rowLength {
                        dst[y * rowLength + i] = UInt8(max(0, min(255, accumulator[i].rounded())))
                    }
                }
            }
        }
        return Image(unchecked: newWidth, newHeight, c, out)
    }

    /// Resized so the shorter side is `shorterSide`, keeping the aspect ratio
    /// (the usual "resize 256, center-crop 224" preprocessing).
    public func resized(shorterSide: Int) throws -> Image {
        guard shorterSide > 0 else { throw ImageError.invalidArgument("shorter side \(shorterSide) must be positive") }
        if width <= height {
            let h = max(1, Int((Double(height) * Double(shorterSide) / Double(width)).rounded()))
            return try resized(width: shorterSide, height: h)
        }
        let w = max(1, Int((Double(width) * Double(shorterSide) / Double(height)).rounded()))
        return try resized(width: w, height: shorterSide)
    }

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

    /// Converted to 1 (luma, ITU-R BT.601 weights), 3 or 4 channels. Alpha is
    /// composited over white when dropped; added alpha is opaque.
    public func converted(toChannels target: Int) throws -> Image {
        guard target == 1 || target == 3 || target == 4 else {
            throw ImageError.invalidArgument("\(target) channels (need 1, 3 or 4)")
        }
        if target == channels { return self }
        let count = width * height
        var out = [UInt8](repeating: 0, count: count * target)
        for i in 0..<count {
            var r, g, b: UInt32
            var a: UInt32 = 255
            switch channels {
            case 1: r = UInt32(pixels[i]); g = r; b = r
            case 3: r = UInt32(pixels[3 * i]); g = UInt32(pixels[3 * i + 1]); b = UInt32(pixels[3 * i + 2])
            default:
                r = UInt32(pixels[4 * i]); g = UInt32(pixels[4 * i + 1]); b = UInt32(pixels[4 * i + 2])
                a = UInt32(pixels[4 * i + 3])
            }
            if target != 4 && a != 255 {
                r = (r * a + 255 * (255 - a) + 127) / 255
                g = (g * a + 255 * (255 - a) + 127) / 255
                b = (b * a + 255 * (255 - a) + 127) / 255
            }
            switch target {
            case 1: out[i] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
            case 3: out[3 * i] = UInt8(r); out[3 * i + 1] = UInt8(g); out[3 * i + 2] = UInt8(b)
            default:
                out[4 * i] = UInt8(r); out[4 * i + 1] = UInt8(g); out[4 * i + 2] = UInt8(b); out[4 * i + 3] = UInt8(a)
            }
        }
        return Image(unchecked: width, height, target, out)
    }

    /// The pixels as planar floats (CHW), each sample mapped linearly from
    /// 0...255 onto `range` and then normalised per channel:
    /// `(sample / 255 * (range.upper - range.lower) + range.lower - mean[c]) / std[c]`.
    /// `mean` and `std` hold one value per channel, or one value for all.
    /// E.g. ImageNet: `range: 0...1, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]`.
    public func normalizedCHW(mean: [Float] = [0], std: [Float] = [1], range: ClosedRange<Float> = 0...1) throws -> [Float] {
        guard mean.count == 1 || mean.count == channels, std.count == 1 || std.count == channels else {
            throw ImageError.invalidArgument(
                "mean (\(mean.count) values) and std (\(std.count)) need 1 or \(channels) values for a \(channels)-channel image")
        }
        guard std.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy({ $0.isFinite }) else {
            throw ImageError.invalidArgument("std must be finite and nonzero, mean finite")
        }
        let plane = width * height
        var out = [Float](repeating: 0, count: plane * channels)
        let span = (range.upperBound - range.lowerBound) / 255
        for ch in 0..<channels {
            let m = mean.count == 1 ? mean[0] : mean[ch]
            let s = std.count == 1 ? std[0] : std[ch]
            // (v * span + lower - m) / s  ==  v * scale + bias
            let scale = span / s
            let bias = (range.lowerBound - m) / s
            pixels.withUnsafeBufferPointer { src in
                out.withUnsafeMutableBufferPointer { dst in
                    for i in 0..<plane { dst[ch * plane + i] = Float(src[i * channels + ch]) * scale + bias }
                }
            }
        }
        return out
    }

    /// Tiles equally sized images into one, row-major, `columns` per row, with
    /// `padding` pixels of `background` around and between the tiles (as
    /// torchvision's make_grid). Channels are promoted to the largest among
    /// the images (gray to RGB, opaque alpha added).
    public static func grid(_ images: [Image], columns: Int, padding: Int = 2, background: UInt8 = 0) throws -> Image {
        guard let first = images.first else { throw ImageError.invalidArgument("grid of no images") }
        guard columns > 0, padding >= 0 else {
            throw ImageError.invalidArgument("grid needs columns > 0 and padding >= 0 (got \(columns), \(padding))")
        }
        for (i, image) in images.enumerated() where image.width != first.width || image.height != first.height {
            throw ImageError.invalidArgument(
                "grid image \(i) is \(image.width)x\(image.height), image 0 is \(first.width)x\(first.height)")
        }
        let channels = images.map(\.channels).max()!
        let cols = min(columns, images.count)
        let rows = (images.count + cols - 1) / cols
        let width = cols * (first.width + padding) + padding
        let height = rows * (first.height + padding) + padding
        var out = try Image(width: width, height: height, channels: channels, fill: background)
        if channels == 4 { for i in 0..<(width * height) { out.pixels[4 * i + 3] = 255 } }
        for (index, source) in images.enumerated() {
            let image = try source.converted(toChannels: channels)
            let originX = padding + (index % cols) * (first.width + padding)
            let originY = padding + (index / cols) * (first.height + padding)
            let rowLength = image.width * channels
            for y in 0..<image.height {
                let dst = ((originY + y) * width + originX) * channels
                out.pixels.replaceSubrange(dst..<(dst + rowLength), with: image.pixels[(y * rowLength)..<((y + 1) * rowLength)])
            }
        }
        return out
    }
}

/// Per-output-index source taps for one axis, in CSR form.
struct ResampleWeights {
    var offsets: [Int] = [0]
    var indices: [Int] = []
    var weights: [Float] = []

    init(source: Int, destination: Int) {
        if destination < source {
            // Area averaging: output i covers [i * scale, (i + 1) * scale) in source pixels.
            let scale = Double(source) / Double(destination)
            for i in 0..<destination {
                let lo = Double(i) * scale, hi = Double(i + 1) * scale
                var j = Int(lo.rounded(.down))
                let end = min(source, Int(hi.rounded(.up)))
                while j < end {
                    let overlap = min(hi, Double(j + 1)) - max(lo, Double(j))
                    if overlap > 1e-12 {
                        indices.append(j)
                        weights.append(Float(overlap / scale))
                    }
                    j += 1
                }
                offsets.append(indices.count)
            }
        } else {
            // Bilinear with half-pixel centres, clamped at the edges.
            let scale = Double(source) / Double(destination)
            for i in 0..<destination {
                let position = min(max((Double(i) + 0.5) * scale - 0.5, 0), Double(source - 1))
                let x0 = Int(position.rounded(.down))
                let x1 = min(x0 + 1, source - 1)
                let fraction = position - Double(x0)
                indices.append(x0)
                weights.append(Float(1 - fraction))
                if fraction > 0 && x1 != x0 {
                    indices.append(x1)
                    weights.append(Float(fraction))
                }
                offsets.append(indices.count)
            }
        }
    }
}
