import DeepLearning
import DLRuntime

/// How closely the C runtime reproduces the Swift engine: the check every
/// export ends with, and what the parity tests measure.
public enum Parity {
    /// The largest absolute difference relative to the largest reference
    /// magnitude, `max|got - want| / max|want|` (the ∞-norm relative error):
    /// independent of the outputs' scale, and meaningful for outputs near
    /// zero, where an elementwise relative error is not. Infinite when the
    /// counts differ or a value is not finite.
    public static func relativeError(_ got: [Float], _ want: [Float]) -> Double {
        guard got.count == want.count, !want.isEmpty else { return .infinity }
        var largestDifference = 0.0, largestReference = 0.0
        for (g, w) in zip(got, want) {
            guard g.isFinite, w.isFinite else { return .infinity }
            largestDifference = max(largestDifference, abs(Double(g) - Double(w)))
            largestReference = max(largestReference, abs(Double(w)))
        }
        return largestReference > 0 ? largestDifference / largestReference : largestDifference
    }

    /// The engine's evaluation-mode output for one example (`input` holds
    /// `shape`'s elements, batch axis included), without recording gradients.
    /// The module's mode is restored afterwards.
    public static func engineOutput(of model: Module<Float>, input: [Float], shape: [Int]) -> [Float] {
        let wasTraining = model.isTraining
        model.eval()
        defer { model.train(wasTraining) }
        return withNoGrad { model(Tensor(shape: shape, scalars: input)).scalars }
    }

    /// Output 0 of the `.dlrt` model in `bytes`, run by the C runtime on `input`.
    public static func runtimeOutput(of bytes: [UInt8], input: [Float], threads: Int = 1) throws -> [Float] {
        let model = try Model(bytes: bytes)
        return try runtimeOutput(of: model, input: input, threads: threads)
    }

    public static func runtimeOutput(of model: Model, input: [Float], threads: Int = 1) throws -> [Float] {
        let session = try Session(model: model, threads: threads)
        return try session.run([input])[0]
    }
}
