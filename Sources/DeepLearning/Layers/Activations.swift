/// Elementwise activations as modules, for `Sequential`. They own nothing;
/// each forwards to the tensor op of the same name.

/// max(x, 0).
public final class ReLU<Scalar: TensorScalar>: Module<Scalar> {
    public override init() { super.init() }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.relu() }
}

/// x for x > 0, else negativeSlope · x (PyTorch's default slope 0.01).
public final class LeakyReLU<Scalar: TensorScalar>: Module<Scalar> {
    public let negativeSlope: Scalar
    public init(negativeSlope: Scalar = 0.01) {
        self.negativeSlope = negativeSlope
        super.init()
    }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.leakyRelu(slope: negativeSlope) }
}

/// 1 / (1 + e^-x).
public final class Sigmoid<Scalar: TensorScalar>: Module<Scalar> {
    public override init() { super.init() }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.sigmoid() }
}

/// tanh(x).
public final class Tanh<Scalar: TensorScalar>: Module<Scalar> {
    public override init() { super.init() }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.tanh() }
}
