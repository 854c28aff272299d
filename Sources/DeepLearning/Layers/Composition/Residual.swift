/// A residual block: y = activation(body(x) + shortcut(x)), the shortcut
/// being the identity when nil (He et al., 2015).
///
/// Names: the body under `bodyName` (default "body"), or, with
/// `bodyName: nil`, the body's children directly under this block
/// (see `inlinedChildren`); then the shortcut under `shortcutName`; then
/// the activation under `activationName`. torchvision's `BasicBlock` is
///
/// ```swift
/// Residual(NamedSequential(("conv1", c1), ("bn1", b1), ("relu", r), ("conv2", c2), ("bn2", b2)),
///          bodyName: nil, shortcut: downsample, shortcutName: "downsample", activation: r)
/// ```
///
/// which names its tensors `conv1.weight`, `downsample.0.weight`, as PyTorch.
/// body(x) and shortcut(x) must have the same shape (no broadcasting: a
/// shape mismatch is a wiring error).
public final class Residual<Scalar: TensorScalar>: Module<Scalar> {
    public let body: Module<Scalar>
    public let shortcut: Module<Scalar>?
    public let activation: Module<Scalar>?
    public let bodyName: String?
    public let shortcutName: String
    public let activationName: String

    public init(_ body: Module<Scalar>, bodyName: String? = "body", shortcut: Module<Scalar>? = nil,
                shortcutName: String = "shortcut", activation: Module<Scalar>? = nil,
                activationName: String = "activation") {
        if bodyName == nil { preconditionInlinable(body, "Residual") }
        (self.body, self.shortcut, self.activation) = (body, shortcut, activation)
        (self.bodyName, self.shortcutName, self.activationName) = (bodyName, shortcutName, activationName)
        super.init()
    }

    public override var children: [(name: String, module: Module<Scalar>)] {
        var result = inlinedChildren(bodyName, body)
        if let shortcut { result.append((shortcutName, shortcut)) }
        if let activation { result.append((activationName, activation)) }
        return result
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let main = body(input)
        let skip = shortcut?(input) ?? input
        precondition(main.shape == skip.shape,
                     "Residual: body gives \(main.shape) but the shortcut gives \(skip.shape) for input \(input.shape)")
        let sum = main + skip
        return activation?(sum) ?? sum
    }
}
