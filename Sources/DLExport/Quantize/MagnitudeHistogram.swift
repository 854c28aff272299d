#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A histogram of `|x|` over `[0, bound]` in equal bins: what the percentile
/// and entropy calibrations choose a clipping threshold from. Values above
/// `bound` land in the last bin (the bound is the largest magnitude seen in
/// the min/max pass, so none should). Exact zeros are counted apart: every
/// range includes 0, so they are represented exactly whatever the threshold,
/// and after a ReLU they are often most values, a spike in the first bin
/// that would make the entropy search prefer the narrowest ranges.
public struct MagnitudeHistogram: Sendable, Equatable {
    /// 2048 bins, TensorRT's choice: fine enough that a 128- or 255-level
    /// quantization of any candidate range spans many bins.
    public static let defaultBinCount = 2048
    /// Eight values per bin on average.
    public static let minimumEntropyValues = 8.0 * Double(defaultBinCount)

    public let bound: Float
    public private(set) var counts: [Double]
    public private(set) var zeros = 0.0

    public init(bound: Float, bins: Int = defaultBinCount) {
        self.bound = bound
        counts = [Double](repeating: 0, count: max(bins, 1))
    }

    public var binWidth: Double { Double(bound) / Double(counts.count) }
    /// Non-zero values counted.
    public var total: Double { counts.reduce(0, +) }

    public mutating func add(_ values: [Float]) {
        let scale = bound > 0 ? Double(counts.count) / Double(bound) : 0
        let last = counts.count - 1
        for value in values {
            guard value != 0 else {
                zeros += 1
                continue
            }
            let bin = Int(min(Double(last), (Double(abs(value)) * scale).rounded(.down)))
            counts[bin] += 1
        }
    }

    /// The smallest bin edge below which at least `fraction` of the
    /// magnitudes lie (`bound` for fraction 1), zeros included.
    public func quantile(_ fraction: Double) -> Float {
        let target = fraction * (total + zeros)
        var running = zeros
        guard running < target else { return 0 }
        for (bin, count) in counts.enumerated() {
            running += count
            if running >= target { return Float(Double(bin + 1) * binWidth) }
        }
        return bound
    }

    /// The clipping threshold `T` whose `levels`-step quantization of
    /// `[0, T]` loses the least information: the KL divergence between the
    /// histogram clipped at `T` (the clipped mass added to its last bin) and
    /// that histogram merged into `levels` groups and spread back over each
    /// group's non-empty bins, minimized over every `T` from `levels` bins to
    /// all of them (TensorRT's entropy calibration). A heavy tail is cut
    /// where representing it would cost the bulk of the values its resolution.
    /// With fewer than `minimumEntropyValues` non-zero values the histogram
    /// is too sparse for the divergence to mean anything (it then favours
    /// whichever edge leaves the fewest empty bins): `bound`, nothing clipped.
    public func entropyThreshold(levels: Int) -> Float {
        let bins = counts.count
        guard levels >= 1, bins > levels, total >= Self.minimumEntropyValues else { return bound }
        var suffix = [Double](repeating: 0, count: bins + 1)
        for bin in stride(from: bins - 1, through: 0, by: -1) { suffix[bin] = suffix[bin + 1] + counts[bin] }
        var best = bins, bestDivergence = Double.infinity
        var reference = [Double](repeating: 0, count: bins)
        var expanded = [Double](repeating: 0, count: bins)
        for edge in levels...bins {
            for bin in 0..<edge { reference[bin] = counts[bin] }
            reference[edge - 1] += suffix[edge]
            for level in 0..<levels {
                let start = level * edge / levels, end = (level + 1) * edge / levels
                guard end > start else { continue }
                var sum = 0.0, nonEmpty = 0
                for bin in start..<end where counts[bin] > 0 {
                    sum += counts[bin]
                    nonEmpty += 1
                }
                let share = nonEmpty > 0 ? sum / Double(nonEmpty) : 0
                for bin in start..<end { expanded[bin] = counts[bin] > 0 ? share : 0 }
            }
            let divergence = Self.divergence(reference[0..<edge], expanded[0..<edge])
            if divergence < bestDivergence {
                bestDivergence = divergence
                best = edge
            }
        }
        return Float(Double(best) * binWidth)
    }

    /// KL(p || q) of two unnormalized distributions; where q is empty but p is
    /// not (the clipped mass in the last bin), q counts as a tiny probability
    /// so that the divergence stays finite and such thresholds are penalized.
    static func divergence(_ p: ArraySlice<Double>, _ q: ArraySlice<Double>) -> Double {
        let pTotal = p.reduce(0, +), qTotal = q.reduce(0, +)
        guard pTotal > 0, qTotal > 0 else { return .infinity }
        let floor = 1e-12
        var sum = 0.0
        for (pc, qc) in zip(p, q) where pc > 0 {
            let pp = pc / pTotal, qq = max(qc / qTotal, floor)
            sum += pp * log(pp / qq)
        }
        return sum
    }
}
