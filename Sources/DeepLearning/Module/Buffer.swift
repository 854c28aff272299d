/// Non-trained state that belongs in a checkpoint, such as batch norm's
/// running statistics (PyTorch's registered buffers). A reference type like
/// `Parameter`, so a module updates it in place during `forward`; it never
/// requires grad and optimizers never see it.
public final class Buffer<Scalar: TensorScalar> {
    /// The current values, outside the graph.
    public var value: Tensor<Scalar> {
        didSet { if value.requiresGrad { value = value.detached() } }
    }

    public init(_ value: Tensor<Scalar>) {
        self.value = value.detached()
    }

    public var shape: [Int] { value.shape }
}

extension Buffer: CustomStringConvertible {
    public var description: String { "Buffer(shape: \(shape))" }
}
