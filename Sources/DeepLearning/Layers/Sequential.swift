/// Layers applied in order (PyTorch's `nn.Sequential`). Children are named
/// "0", "1", ... so state-dict names (`0.weight`, `2.bias`) match PyTorch's.
public final class Sequential<Scalar: TensorScalar>: Module<Scalar> {
    public private(set) var layers: [Module<Scalar>]

    public init(_ layers: [Module<Scalar>]) {
        self.layers = layers
        super.init()
    }

    public convenience init(_ layers: Module<Scalar>...) {
        self.init(layers)
    }

    public subscript(index: Int) -> Module<Scalar> { layers[index] }
    public var count: Int { layers.count }

    /// Adds a layer at the end (named by its index).
    public func append(_ layer: Module<Scalar>) { layers.append(layer) }

    public override var children: [(name: String, module: Module<Scalar>)] {
        layers.enumerated().map { (String($0.offset), $0.element) }
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        layers.reduce(input) { $1($0) }
    }
}
