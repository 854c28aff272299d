/// The running range of an activation for quantization-aware training
/// (PyTorch's `MovingAverageMinMaxObserver`): the first batch sets
/// `[min, max]`, every later one moves it by `momentum` toward the batch's
/// own extremes, `r = r + momentum * (batch - r)`. A moving average rather
/// than the all-time extremes, because the weights, and with them the
/// activations, change while the model trains.
///
/// The state lives in two `Buffer`s, so it is part of the state dict and a
/// checkpoint, and a resumed run continues with the same range bit for bit.
public final class ActivationObserver<Scalar: TensorScalar> {
    public static var defaultMomentum: Double { 0.01 }

    public let momentum: Double
    /// `[min, max]` as observed so far (meaningless while `batches` is 0).
    public let range: Buffer<Scalar>
    /// The number of batches observed, a scalar (0: no range yet).
    public let batches: Buffer<Scalar>

    public init(momentum: Double = defaultMomentum) {
        precondition(momentum > 0 && momentum <= 1, "ActivationObserver: momentum \(momentum) must be in (0, 1]")
        self.momentum = momentum
        range = Buffer(Tensor([0, 0]))
        batches = Buffer(Tensor(0))
    }

    /// Folds `x`'s extremes (NaNs ignored) into the range; a tensor with no
    /// number in it changes nothing.
    public func observe(_ x: Tensor<Scalar>) {
        var lo = Float.infinity, hi = -Float.infinity
        for v in x.floatValues {
            lo = min(lo, v)
            hi = max(hi, v)
        }
        guard lo <= hi else { return }
        let seen = batches.value.item()
        var r = range.value.scalars
        if seen == 0 {
            r = [Scalar(lo), Scalar(hi)]
        } else {
            let m = Scalar(momentum)
            r[0] += m * (Scalar(lo) - r[0])
            r[1] += m * (Scalar(hi) - r[1])
        }
        range.value = Tensor(r)
        batches.value = Tensor(seen + 1)
    }

    /// The int8 quantization of the observed range; nil before any batch.
    public var quantization: ActivationQuantization? {
        guard batches.value.item() > 0 else { return nil }
        let r = range.value.scalars
        return ActivationQuantization(range: Float(r[0])...Float(Swift.max(r[0], r[1])))
    }
}
