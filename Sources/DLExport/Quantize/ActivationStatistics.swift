/// What calibration observed of one activation tensor over all samples:
/// its extremes (first pass) and, when the method needs it, a histogram of
/// its magnitudes over `[0, max|x|]` (second pass, once the extremes are known).
public struct ActivationStatistics: Sendable, Equatable {
    public let tensor: String
    public private(set) var minimum: Float = .infinity
    public private(set) var maximum: Float = -.infinity
    public private(set) var histogram: MagnitudeHistogram?

    public init(tensor: String) { self.tensor = tensor }

    /// Pass 1. Throws naming the tensor and the sample when a value is NaN or infinite.
    public mutating func observeExtremes(_ values: [Float], sample: Int) throws {
        for value in values {
            guard value.isFinite else {
                throw ExportError.invalidArgument(
                    "activation '\(tensor)' is \(value) on calibration sample \(sample); "
                        + "a model that computes NaN or infinity cannot be calibrated")
            }
            minimum = min(minimum, value)
            maximum = max(maximum, value)
        }
    }

    /// Pass 2 (after every `observeExtremes`).
    public mutating func observeHistogram(_ values: [Float]) {
        if histogram == nil { histogram = MagnitudeHistogram(bound: max(abs(minimum), abs(maximum), 0)) }
        histogram?.add(values)
    }

    /// Whether anything was observed.
    public var isEmpty: Bool { minimum > maximum }

    /// The range `method` chooses; `0...0` when nothing was observed.
    public func range(_ method: CalibrationMethod) -> ClosedRange<Float> {
        guard !isEmpty else { return 0...0 }
        return method.range(minimum: minimum, maximum: maximum, histogram: histogram)
    }
}
