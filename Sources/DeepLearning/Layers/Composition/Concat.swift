/// Parallel branches on one input, their outputs concatenated along `axis`
/// (default 1, the channels of NCHW): GoogLeNet's Inception block and,
/// with `includeInput`, DenseNet's layer y = [x, f(x)].
///
/// Branch names: each branch under its name, or, with a nil name, the
/// branch's children directly under this module (see `inlinedChildren`):
/// DenseNet's `_DenseLayer` is
/// `Concat([(nil, NamedSequential(("norm1", ...), ..., ("conv2", ...)))], includeInput: true)`,
/// named `norm1.weight` ... as torchvision. The outputs must agree on every
/// axis but `axis`.
public final class Concat<Scalar: TensorScalar>: Module<Scalar> {
    public let branches: [(name: String?, module: Module<Scalar>)]
    public let axis: Int
    /// When true the input itself is the first part of the output.
    public let includeInput: Bool

    public init(_ branches: [(name: String?, module: Module<Scalar>)], axis: Int = 1, includeInput: Bool = false) {
        precondition(!branches.isEmpty || includeInput, "Concat: no branches")
        for (name, module) in branches where name == nil { preconditionInlinable(module, "Concat") }
        (self.branches, self.axis, self.includeInput) = (branches, axis, includeInput)
        super.init()
    }

    /// Named branches.
    public convenience init(_ branches: (String, Module<Scalar>)..., axis: Int = 1) {
        self.init(branches.map { (name: Optional($0.0), module: $0.1) }, axis: axis)
    }

    public override var children: [(name: String, module: Module<Scalar>)] {
        branches.flatMap { inlinedChildren($0.name, $0.module) }
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let parts = (includeInput ? [input] : []) + branches.map { $0.module(input) }
        return parts.count == 1 ? parts[0] : Tensor.concatenate(parts, axis: axis)
    }
}
