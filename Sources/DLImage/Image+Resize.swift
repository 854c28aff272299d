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
        let c = channels, rowLength = newWidth * c
        // Horizontal pass into floats, height x newWidth x c; then vertical into bytes.
        // Raw pointers and no per-pixel closures: this runs once per image in `classify`.
        var temp = [Float](repeating: 0, count: height * rowLength)
        pixels.withUnsafeBufferPointer { src in
            temp.withUnsafeMutableBufferPointer { dst in
                horizontal.withTaps { offsets, indices, weights in
                    for y in 0..<height {
                        let sourceRow = src.baseAddress! + y * width * c
                        let outputRow = dst.baseAddress! + y * rowLength
                        for x in 0..<newWidth {
                            let output = outputRow + x * c
                            for k in offsets[x]..<offsets[x + 1] {
                                let weight = weights[k]
                                let input = sourceRow + indices[k] * c
                                for ch in 0..<c { output[ch] += weight * Float(input[ch]) }
                            }
                        }
                    }
                }
            }
        }
        var out = [UInt8](repeating: 0, count: newHeight * rowLength)
        var accumulator = [Float](repeating: 0, count: rowLength)
        temp.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                accumulator.withUnsafeMutableBufferPointer { sum in
                    vertical.withTaps { offsets, indices, weights in
                        for y in 0..<newHeight {
                            sum.update(repeating: 0)
                            for k in offsets[y]..<offsets[y + 1] {
                                let weight = weights[k]
                                let row = src.baseAddress! + indices[k] * rowLength
                                for i in 0..<rowLength { sum[i] += weight * row[i] }
                            }
                            let outputRow = dst.baseAddress! + y * rowLength
                            // Weights are non-negative: + 0.5 and truncation round to nearest.
                            for i in 0..<rowLength { outputRow[i] = UInt8(min(255, max(0, sum[i])) + 0.5) }
                        }
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
}

/// Per-output-index source taps for one axis, in CSR form: output i reads
/// source `indices[k]` with weight `weights[k]` for k in `offsets[i]..<offsets[i + 1]`.
struct ResampleWeights {
    var offsets: [Int] = [0]
    var indices: [Int] = []
    var weights: [Float] = []

    /// The three arrays as raw buffers, for the inner loops.
    func withTaps<R>(_ body: (UnsafeBufferPointer<Int>, UnsafeBufferPointer<Int>, UnsafeBufferPointer<Float>) -> R) -> R {
        offsets.withUnsafeBufferPointer { o in
            indices.withUnsafeBufferPointer { i in weights.withUnsafeBufferPointer { w in body(o, i, w) } }
        }
    }

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
