/// How an activation's int8 range is chosen from what calibration observed.
public enum CalibrationMethod: Hashable, Sendable, CustomStringConvertible {
    /// The smallest and largest value seen: nothing clipped, resolution spent on outliers.
    case minmax
    /// `|x|` clipped at this percentile of the magnitudes seen (e.g. 99.99).
    case percentile(Double)
    /// `|x|` clipped where the KL divergence of the quantized distribution
    /// from the observed one is smallest (TensorRT's entropy calibration).
    case entropy

    /// 99.99: clips about one value in ten thousand, which removes single
    /// outliers while keeping the tail a classifier's large activations live in.
    public static let defaultPercentile = 99.99

    /// "minmax", "percentile" (at `defaultPercentile`), "percentile:99.9", "entropy".
    public init?(_ text: String) {
        switch text {
        case "minmax": self = .minmax
        case "entropy": self = .entropy
        case "percentile": self = .percentile(Self.defaultPercentile)
        default:
            guard text.hasPrefix("percentile:"), let p = Double(text.dropFirst("percentile:".count)), p > 0, p <= 100
            else { return nil }
            self = .percentile(p)
        }
    }

    public var description: String {
        switch self {
        case .minmax: return "minmax"
        case .entropy: return "entropy"
        case .percentile(let p): return p == Self.defaultPercentile ? "percentile" : "percentile:\(p)"
        }
    }

    /// Whether the range needs a histogram (a second pass over the samples).
    var needsHistogram: Bool { self != .minmax }

    /// The range to quantize, from the tensor's observed extremes and (for
    /// percentile and entropy) its magnitude histogram: `[max(lo, -T), min(hi, T)]`
    /// for the method's clipping threshold `T`.
    func range(minimum: Float, maximum: Float, histogram: MagnitudeHistogram?) -> ClosedRange<Float> {
        let threshold: Float
        switch self {
        case .minmax:
            return minimum...maximum
        case .percentile(let p):
            guard let histogram else { return minimum...maximum }
            threshold = histogram.quantile(p / 100)
        case .entropy:
            guard let histogram else { return minimum...maximum }
            // 255 steps cover [0, T] of a tensor that is never negative; a
            // signed one spends about half its codes on each side.
            threshold = histogram.entropyThreshold(levels: minimum >= 0 ? 255 : 128)
        }
        return max(minimum, -threshold)...max(max(minimum, -threshold), min(maximum, threshold))
    }
}
