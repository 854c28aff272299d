/// Softmax and log-softmax along an axis as modules (PyTorch's `dim`;
/// default the last axis). For training a classifier prefer raw logits
/// with `crossEntropy`, which fuses the softmax and is more stable.

public final class Softmax<Scalar: TensorScalar>: Module<Scalar> {
    public let axis: Int
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.softmax(alongAxis: axis) }
}

public final class LogSoftmax<Scalar: TensorScalar>: Module<Scalar> {
    public let axis: Int
    public init(axis: Int = -1) {
        self.axis = axis
        super.init()
    }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { input.logSoftmax(alongAxis: axis) }
}
