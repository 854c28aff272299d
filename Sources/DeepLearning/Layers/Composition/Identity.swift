/// The identity (PyTorch's `nn.Identity`): a placeholder branch or shortcut.
public final class Identity<Scalar: TensorScalar>: Module<Scalar> {
    public override init() { super.init() }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input }
}
