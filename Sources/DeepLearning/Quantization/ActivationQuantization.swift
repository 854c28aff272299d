/// The per-tensor asymmetric int8 quantization of an activation
/// (docs/FORMAT.md, "int8"): `real = scale * (q - zeroPoint)`, q in [-128, 127].
/// Defined here rather than in DLExport so that quantization-aware training's
/// fake quantization and the exporter's calibration share one arithmetic.
public struct ActivationQuantization: Hashable, Sendable {
    public var scale: Float
    public var zeroPoint: Int32

    public init(scale: Float, zeroPoint: Int32) {
        self.scale = scale
        self.zeroPoint = zeroPoint
    }

    /// The scale a tensor gets when calibration saw only zeros (or nothing):
    /// any positive scale represents 0 exactly, and 1 keeps every multiplier
    /// that involves it (`s_x * s_w / s_y`, `s_x / s_y`) far inside the
    /// runtime's accepted range, which a tiny scale would not.
    public static let zeroRangeScale: Float = 1

    /// The quantization covering `range`, widened to include 0 (so that 0,
    /// padding and ReLU's floor, is exact): `scale = (hi - lo) / 255` and
    /// `zeroPoint = round(-128 - lo / scale)`, clamped to [-128, 127]. A range
    /// of zero width, or so narrow that its scale would not be a normal
    /// float, gets `zeroRangeScale` and zero point 0 instead of a division by zero.
    public init(range: ClosedRange<Float>) {
        let lo = Double(min(range.lowerBound, 0)), hi = Double(max(range.upperBound, 0))
        let width = hi - lo
        let scale = Float(width / 255)
        guard width.isFinite, scale.isNormal else {
            self.init(scale: Self.zeroRangeScale, zeroPoint: 0)
            return
        }
        let zero = (-128 - lo / Double(scale)).rounded()
        self.init(scale: scale, zeroPoint: Int32(min(127, max(-128, zero))))
    }

    /// The real interval the 256 codes cover.
    public var representableRange: ClosedRange<Float> {
        scale * Float(-128 - zeroPoint)...scale * Float(127 - zeroPoint)
    }

    /// `x` quantized as the runtime's `quantize` op does it:
    /// `clamp(round_half_even(x / s) + z, -128, 127)` with `x / s` a float division.
    public func quantize(_ x: Float) -> Int8 {
        guard !x.isNaN else { return Int8(clamping: zeroPoint) }
        let q = (x / scale).rounded(.toNearestOrEven)
        guard q.isFinite else { return q > 0 ? .max : .min }
        return Int8(clamping: Int64(max(-1e9, min(1e9, q))) + Int64(zeroPoint))
    }

    /// `(q - z) * s`, as the runtime's `dequantize` op computes it.
    public func dequantize(_ q: Int8) -> Float { Float(Int32(q) - zeroPoint) * scale }
}
