/// Layers applied in order under names of your choosing (PyTorch's
/// `nn.Sequential(OrderedDict(...))`), so a model's state-dict names can
/// follow an existing PyTorch layout: `features.conv0.weight`,
/// `layer1.0.bn1.running_mean`. `Sequential` is the same with the names
/// "0", "1", ...
///
/// Names must be unique and non-empty and must not contain ".".
public final class NamedSequential<Scalar: TensorScalar>: Module<Scalar> {
    public private(set) var layers: [(name: String, module: Module<Scalar>)]

    public init(_ layers: [(name: String, module: Module<Scalar>)]) {
        NamedSequential.validate(layers.map(\.name))
        self.layers = layers
        super.init()
    }

    public convenience init(_ layers: (String, Module<Scalar>)...) {
        self.init(layers.map { (name: $0.0, module: $0.1) })
    }

    public var count: Int { layers.count }
    public subscript(index: Int) -> Module<Scalar> { layers[index].module }

    /// The layer named `name`, or nil.
    public subscript(name: String) -> Module<Scalar>? { layers.first { $0.name == name }?.module }

    /// Adds a layer at the end.
    public func append(_ name: String, _ module: Module<Scalar>) {
        NamedSequential.validate(layers.map(\.name) + [name])
        layers.append((name, module))
    }

    public override var children: [(name: String, module: Module<Scalar>)] { layers }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        layers.reduce(input) { $1.module($0) }
    }

    static func validate(_ names: [String]) {
        for name in names {
            precondition(!name.isEmpty && !name.contains("."), "NamedSequential: bad layer name \"\(name)\"")
        }
        precondition(Set(names).count == names.count, "NamedSequential: duplicate layer names in \(names)")
    }
}
