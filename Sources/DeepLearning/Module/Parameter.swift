/// A trainable tensor owned by a module: a reference type, so that the
/// module, the optimizer and a gradient clipper all see one value and one
/// gradient (PyTorch's `nn.Parameter`).
///
/// `value` is a leaf that requires grad unless the parameter is frozen.
/// Freezing (transfer learning) turns `requiresGrad` off, so `backward()`
/// neither computes nor stores its gradient, and optimizers skip it because
/// its `grad` stays nil.
///
/// Values change only through `assign(_:)`, which keeps the tensor's
/// identity in the graph; replacing the tensor wholesale would silently cut
/// it off from gradients recorded before.
public final class Parameter<Scalar: TensorScalar> {
    /// The current values; a leaf that requires grad while not frozen.
    public private(set) var value: Tensor<Scalar>

    /// True when training must leave this parameter alone (no gradient).
    public var isFrozen: Bool {
        didSet {
            guard isFrozen != oldValue else { return }
            value.requiresGrad = !isFrozen
        }
    }

    /// `!isFrozen`, under PyTorch's name.
    public var requiresGrad: Bool {
        get { !isFrozen }
        set { isFrozen = !newValue }
    }

    /// A parameter holding `value` (its graph history is dropped).
    public init(_ value: Tensor<Scalar>, frozen: Bool = false) {
        self.value = value.detached()
        isFrozen = frozen
        self.value.requiresGrad = !frozen
    }

    public var shape: [Int] { value.shape }
    public var count: Int { value.count }

    /// The gradient accumulated by `backward()`, or nil (none yet, cleared
    /// by `zeroGrad()`, or frozen). Setting it is how tests and gradient
    /// post-processing (clipping) inject a gradient.
    public var grad: Tensor<Scalar>? {
        get { value.grad }
        set {
            guard !isFrozen else {
                precondition(newValue == nil, "cannot set the gradient of a frozen parameter")
                return
            }
            value.grad = newValue
        }
    }

    /// Replaces the values in place (same shape), keeping the parameter's
    /// identity and gradient: what optimizers and `load(_:strict:)` do.
    public func assign(_ newValue: Tensor<Scalar>) {
        precondition(newValue.shape == value.shape, "Parameter.assign: shape \(newValue.shape) does not match \(value.shape)")
        withNoGrad { value.assign(newValue.detached()) }
    }

    /// Forgets the gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() { value.zeroGrad() }
}

extension Parameter: CustomStringConvertible {
    public var description: String { "Parameter(shape: \(shape)\(isFrozen ? ", frozen" : ""))" }
}
