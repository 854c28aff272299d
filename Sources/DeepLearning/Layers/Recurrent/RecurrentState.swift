/// The state one recurrent layer carries from step to step: h [B, H], and
/// for the LSTM the cell state c [B, H] (PyTorch's h_n and c_n, per layer).
public struct RecurrentState<Scalar: TensorScalar> {
    public var h: Tensor<Scalar>
    public var c: Tensor<Scalar>?

    public init(h: Tensor<Scalar>, c: Tensor<Scalar>? = nil) {
        self.h = h
        self.c = c
    }

    /// Zeros for `kind` at `batch` rows of `hidden` values.
    public static func zeros(_ kind: RecurrentKind, batch: Int, hidden: Int) -> RecurrentState {
        RecurrentState(h: .zeros([batch, hidden]), c: kind == .lstm ? .zeros([batch, hidden]) : nil)
    }

    /// The same values outside the graph: truncated backpropagation through
    /// time carries the state into the next chunk but stops gradients there.
    public func detached() -> RecurrentState {
        RecurrentState(h: h.detached(), c: c?.detached())
    }
}
