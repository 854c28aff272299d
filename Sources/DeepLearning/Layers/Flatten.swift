/// Merges axes `startAxis...endAxis` into one (PyTorch's `nn.Flatten`,
/// default 1...-1: keeps the batch axis, flattens the rest).
public final class Flatten<Scalar: TensorScalar>: Module<Scalar> {
    public let startAxis: Int
    public let endAxis: Int
    public init(startAxis: Int = 1, endAxis: Int = -1) {
        self.startAxis = startAxis
        self.endAxis = endAxis
        super.init()
    }
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        input.flattened(startAxis: startAxis, endAxis: endAxis)
    }
}
