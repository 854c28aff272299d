import DeepLearning

/// Per-channel symmetric int8 weights and their int32 bias (docs/FORMAT.md,
/// "int8"; the grid itself is DeepLearning's `SymmetricWeightQuantization`): channel `c` of the weight (the output channel: axis 0, or 1 for
/// conv_transpose2d's [C, M, kh, kw]) has
/// `scale[c] = max|w_c| / 127` and zero point 0, values `round(w / scale[c])`
/// in [-127, 127]; the bias has scale `s_x * scale[c]` and zero point 0.
public struct WeightQuantization: Hashable, Sendable {
    public var values: [Int8]
    public var scales: [Float]
    /// The axis of `shape` that holds the channels.
    public var axis: Int

    /// The scale of a channel whose weights are all zero (or too small for a
    /// normal-float scale): any scale stores zeros exactly, and 1 keeps the
    /// channel's multiplier `s_x * s_w / s_y` ordinary.
    public static let zeroChannelScale: Float = 1

    /// Quantizes `weights`, laid out as `channels` consecutive blocks (the
    /// format's [M, ...] with the output channel first). Rounds half away from
    /// zero, in Double. Throws naming `tensor` when a weight is NaN or infinite.
    public init(weights: [Float], channels: Int, tensor: String) throws {
        guard channels > 0, weights.count % channels == 0 else {
            throw ExportError.shape("'\(tensor)': \(weights.count) weights do not split into \(channels) channels")
        }
        try self.init(weights: weights, shape: [channels, weights.count / channels], axis: 0, tensor: tensor)
    }

    /// Quantizes `weights` of `shape` with one scale per index of `axis`.
    public init(weights: [Float], shape: [Int], axis: Int, tensor: String) throws {
        guard shape.indices.contains(axis), shape[axis] > 0, shape.reduce(1, *) == weights.count else {
            throw ExportError.shape("'\(tensor)': \(weights.count) weights of shape \(shape) have no channel axis \(axis)")
        }
        if let bad = weights.firstIndex(where: { !$0.isFinite }) {
            throw ExportError.invalidArgument("weight '\(tensor)' holds \(weights[bad]) at element \(bad); "
                                                  + "a model with NaN or infinite weights cannot be quantized")
        }
        let channels = shape[axis], inner = shape[(axis + 1)...].reduce(1, *)
        let channel = { (i: Int) in (i / inner) % channels }
        let grid = SymmetricWeightQuantization.scales(weights, channels: channels, inner: inner)
        var values = [Int8](repeating: 0, count: weights.count)
        for (i, w) in weights.enumerated() {
            if let scale = grid[channel(i)] { values[i] = SymmetricWeightQuantization.quantize(w, scale: scale) }
        }
        self.values = values
        self.scales = grid.map { $0 ?? Self.zeroChannelScale }
        self.axis = axis
    }

    /// The bias scales `s_x * s_w[c]`: one float product, which is exact in
    /// Double and so equals `Float(Double(s_x) * Double(s_w[c]))`.
    public func biasScales(inputScale: Float) -> [Float] { scales.map { inputScale * $0 } }

    /// `round(b / (s_x * s_w[c]))` per channel, half away from zero in Double.
    /// Returns nil when a value does not satisfy the accumulator bound of the
    /// runtime, `|bias_q| + 255 * 127 * K < 2^31` with `K` inputs per output
    /// (the int32 sum must be exact): the layer then stays fp32 rather than
    /// computing a clamped bias.
    public func quantizedBias(_ bias: [Float], inputScale: Float, inputsPerOutput: Int) -> [Int32]? {
        guard bias.count == scales.count, let limit = Self.biasLimit(inputsPerOutput: inputsPerOutput) else { return nil }
        var result = [Int32](repeating: 0, count: bias.count)
        for (c, scale) in biasScales(inputScale: inputScale).enumerated() {
            let q = (Double(bias[c]) / Double(scale)).rounded(.toNearestOrAwayFromZero)
            guard q.isFinite, abs(q) <= Double(limit) else { return nil }
            result[c] = Int32(q)
        }
        return result
    }

    /// The largest `|bias_q|` with `|bias_q| + 255 * 127 * K < 2^31`; nil when
    /// even a zero bias breaks it (K of 66,311 or more).
    public static func biasLimit(inputsPerOutput k: Int) -> Int64? {
        guard k >= 0, k < Int(Int32.max) else { return nil }
        let limit = Int64(Int32.max) - 255 * 127 * Int64(k)
        return limit >= 0 ? limit : nil
    }

    /// The format's per-channel quantization of the weight.
    var tensorQuantization: Quantization {
        .perChannel(axis: axis, scales: scales, zeroPoints: [Int32](repeating: 0, count: scales.count))
    }
}
