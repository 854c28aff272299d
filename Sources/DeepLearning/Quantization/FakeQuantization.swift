/// What a layer that becomes an int8 node at export (`Conv2d`, `Linear`)
/// does in quantization-aware training: its input is fake-quantized per
/// tensor with the range an `ActivationObserver` keeps, and its weight per
/// output channel, as the int8 kernel will see them. The bias stays real
/// (the int32 bias loses next to nothing).
///
/// The weight is quantized as the layer holds it, before BatchNorm folding;
/// per-channel symmetric quantization commutes with folding (folding scales
/// each output channel, and so its scale), so the grid matches the
/// exporter's. The batch norm itself trains unfolded, with batch statistics.
public final class FakeQuantization<Scalar: TensorScalar> {
    public let inputObserver: ActivationObserver<Scalar>
    /// Off: the layer computes in full precision but keeps its observer (and
    /// its buffers), which is how an exporter reads a QAT checkpoint.
    public var isEnabled = true

    public init(momentum: Double = ActivationObserver<Scalar>.defaultMomentum) {
        inputObserver = ActivationObserver(momentum: momentum)
    }

    /// The layer's state-dict entries, after its parameters.
    public var buffers: [(name: String, buffer: Buffer<Scalar>)] {
        [("input_range", inputObserver.range), ("input_batches", inputObserver.batches)]
    }

    /// The input and weight the layer computes with. In training mode the
    /// observer first takes in this batch; in evaluation mode the stored
    /// range is used as it is. Before any batch was observed the input
    /// passes unchanged (there is no range to quantize to).
    public func callAsFunction(input: Tensor<Scalar>, weight: Tensor<Scalar>,
                               training: Bool) -> (input: Tensor<Scalar>, weight: Tensor<Scalar>) {
        guard isEnabled else { return (input, weight) }
        if training { inputObserver.observe(input) }
        let x = inputObserver.quantization.map { input.fakeQuantized($0) } ?? input
        return (x, weight.fakeQuantizedPerChannel())
    }
}
