#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SQNR of an int8 tensor against its fp32 reference, accumulated over
/// samples: `10 log10(sum y^2 / sum (y - y_int8)^2)` in dB. Each 6 dB is
/// about one bit; a full-range uniform 8-bit quantizer reaches about 50.
public struct SignalToQuantizationNoise: Sendable, Equatable {
    public private(set) var signal = 0.0
    public private(set) var noise = 0.0

    public init() {}

    public mutating func add(reference: [Float], quantized: [Float]) {
        for (y, q) in zip(reference, quantized) {
            let r = Double(y), d = Double(y) - Double(q)
            signal += r * r
            noise += d * d
        }
    }

    /// +infinity when there was no noise (identical tensors, all zeros included).
    public var decibels: Double {
        guard noise > 0 else { return .infinity }
        guard signal > 0 else { return -.infinity }
        return 10 * log10(signal / noise)
    }
}
