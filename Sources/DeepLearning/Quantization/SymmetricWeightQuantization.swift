/// The per-output-channel symmetric int8 weight grid (docs/FORMAT.md,
/// "int8"): channel `c` has `scale = max|w_c| / 127`, zero point 0 and values
/// `round(w / scale)` in [-127, 127] (never -128, so the grid is symmetric).
/// One definition for the exporter (`WeightQuantization` in DLExport) and for
/// quantization-aware training's fake quantization, so that the weights a
/// QAT run trains against are the ones the exporter writes.
public enum SymmetricWeightQuantization {
    /// The largest code; -127 is the smallest.
    public static let maxCode: Float = 127

    /// The scale of a channel whose largest magnitude is `largest`, or nil
    /// when `largest / 127` is not a normal float (all zeros, or too small):
    /// such a channel is stored as zeros.
    public static func scale(largestMagnitude largest: Float) -> Float? {
        let scale = largest / maxCode
        return scale.isNormal ? scale : nil
    }

    /// The scale of every channel of `weights`, element `i` belonging to
    /// channel `(i / inner) % channels` (axis 0 of [out, ...]: `inner` is the
    /// rest; axis 1 of conv_transpose2d's [C, M, kh, kw]: kh * kw).
    public static func scales(_ weights: [Float], channels: Int, inner: Int) -> [Float?] {
        var largest = [Float](repeating: 0, count: channels)
        for (i, w) in weights.enumerated() {
            let c = (i / inner) % channels
            largest[c] = max(largest[c], abs(w))
        }
        return largest.map(scale(largestMagnitude:))
    }

    /// `round(w / scale)`, half away from zero, computed in Double (the
    /// quotient of two floats, rounded once), clamped to [-127, 127].
    public static func quantize(_ w: Float, scale: Float) -> Int8 {
        let q = (Double(w) / Double(scale)).rounded(.toNearestOrAwayFromZero)
        return Int8(max(-Double(maxCode), min(Double(maxCode), q)))
    }
}
