extension Image {
    /// The pixels as planar floats (CHW), each sample mapped linearly from
    /// 0...255 onto `range` and then normalised per channel:
    /// `(sample / 255 * (range.upper - range.lower) + range.lower - mean[c]) / std[c]`.
    /// `mean` and `std` hold one value per channel, or one value for all.
    /// E.g. ImageNet: `range: 0...1, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225]`.
    public func normalizedCHW(mean: [Float] = [0], std: [Float] = [1], range: ClosedRange<Float> = 0...1) throws -> [Float] {
        let table = try Image.normalizationTable(channels: channels, mean: mean, std: std, range: range)
        return normalizedCHW(table: table, reversingChannels: false)
    }

    /// The value each 8-bit sample of each channel normalises to, 256 per
    /// channel (`table[c * 256 + v]`), computed in Float in the order the
    /// formula above is written, so that the same sample gives the same bits
    /// here as in any other code that evaluates that formula in that order.
    public static func normalizationTable(channels: Int, mean: [Float], std: [Float],
                                          range: ClosedRange<Float>) throws -> [Float] {
        guard mean.count == 1 || mean.count == channels, std.count == 1 || std.count == channels else {
            throw ImageError.invalidArgument(
                "mean (\(mean.count) values) and std (\(std.count)) need 1 or \(channels) values for a \(channels)-channel image")
        }
        guard std.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy({ $0.isFinite }),
              range.lowerBound.isFinite, range.upperBound.isFinite else {
            throw ImageError.invalidArgument("std must be finite and nonzero, mean and range finite")
        }
        let lower = range.lowerBound, width = range.upperBound - range.lowerBound
        var table = [Float](repeating: 0, count: channels * 256)
        for c in 0..<channels {
            let m = mean.count == 1 ? mean[0] : mean[c]
            let s = std.count == 1 ? std[0] : std[c]
            for v in 0..<256 { table[c * 256 + v] = (Float(v) * width / 255 + lower - m) / s }
        }
        return table
    }

    /// Planar floats through a `normalizationTable` indexed by this image's
    /// channels; with `reversingChannels`, channel c goes to plane
    /// `channels - 1 - c` (an RGB image feeding a BGR model).
    func normalizedCHW(table: [Float], reversingChannels: Bool) -> [Float] {
        let plane = width * height, c = channels
        var out = [Float](repeating: 0, count: plane * c)
        pixels.withUnsafeBufferPointer { src in
            out.withUnsafeMutableBufferPointer { dst in
                table.withUnsafeBufferPointer { lookup in
                    for ch in 0..<c {
                        let values = lookup.baseAddress! + ch * 256
                        let output = dst.baseAddress! + (reversingChannels ? c - 1 - ch : ch) * plane
                        let input = src.baseAddress! + ch
                        for i in 0..<plane { output[i] = values[Int(input[i * c])] }
                    }
                }
            }
        }
        return out
    }
}
