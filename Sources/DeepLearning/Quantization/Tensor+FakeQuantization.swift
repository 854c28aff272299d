/// Fake quantization: a tensor rounded to the int8 grid and mapped back to
/// real values, `dequantize(quantize(x))`, so that training sees the error
/// the int8 model will make. The backward is the clipped straight-through
/// estimator: rounding is treated as the identity (its true derivative is
/// zero almost everywhere, which would stop all learning), but where the
/// value lies outside the representable range the clamp is real and the
/// gradient is zero, as in PyTorch's `FakeQuantize`.
///
/// The rounding and clamping are those of the exporter and runtime exactly:
/// `ActivationQuantization.quantize` / `dequantize` for activations (Float
/// division, half to even) and `SymmetricWeightQuantization` for weights
/// (Double quotient, half away from zero). Values are computed in Float, the
/// runtime's type, also for `Tensor<Double>`.
extension Tensor {
    /// Per-tensor asymmetric fake quantization with `quantization`; the
    /// gradient passes where `x` lies in its `representableRange`.
    public func fakeQuantized(_ quantization: ActivationQuantization) -> Tensor {
        let range = quantization.representableRange
        return straightThrough("fakeQuantize", channels: 1) { x, _ in
            (quantization.dequantize(quantization.quantize(x)), range.contains(x))
        }
    }

    /// Per-output-channel symmetric fake quantization of a weight whose
    /// axis 0 is the output channel (Conv2d's [out, in/groups, kh, kw],
    /// Linear's [out, in]), each channel with its own scale `max|w_c| / 127`.
    /// A channel too small for a normal scale becomes zeros, as the exporter
    /// stores it; its gradient still passes (nothing was clamped).
    public func fakeQuantizedPerChannel() -> Tensor {
        precondition(rank >= 1 && shape[0] > 0, "fakeQuantizedPerChannel: needs an output-channel axis, shape is \(shape)")
        let scales = SymmetricWeightQuantization.scales(floatValues, channels: shape[0], inner: count / shape[0])
        return straightThrough("fakeQuantizePerChannel", channels: shape[0]) { w, c in
            guard let scale = scales[c] else { return (0, true) }
            let limit = SymmetricWeightQuantization.maxCode * scale
            return (Float(SymmetricWeightQuantization.quantize(w, scale: scale)) * scale, -limit <= w && w <= limit)
        }
    }

    /// The elements as Float: the storage itself for `Tensor<Float>`.
    var floatValues: [Float] {
        Scalar.self == Float.self ? unsafeBitCast(scalars, to: [Float].self) : scalars.map { Float($0) }
    }

    /// `y[i], inside[i] = quantize(x[i], channel)` over `channels` equal
    /// blocks along axis 0; the backward multiplies the gradient by `inside`.
    private func straightThrough(_ name: String, channels: Int,
                                 _ quantize: (Float, Int) -> (value: Float, inside: Bool)) -> Tensor {
        let values = floatValues
        let inner = Swift.max(1, count / channels)
        var output = [Float](repeating: 0, count: count), mask = [Float](repeating: 0, count: count)
        for (i, x) in values.enumerated() {
            let (y, inside) = quantize(x, i / inner)
            output[i] = y
            mask[i] = inside ? 1 : 0
        }
        func tensor(_ v: [Float]) -> Tensor {
            Tensor(shape: shape, scalars: Scalar.self == Float.self ? unsafeBitCast(v, to: [Scalar].self) : v.map { Scalar($0) })
        }
        let passes = tensor(mask)
        return Tensor.record(name, tensor(output), inputs: [self]) { g in [g * passes] }
    }
}
