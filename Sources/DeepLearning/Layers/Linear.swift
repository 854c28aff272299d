/// A fully connected layer, y = x · Wᵀ + b (PyTorch's `nn.Linear`): weight
/// [out, in], bias [out], applied to the last axis of the input.
///
/// Default initialisation is PyTorch's: W from Kaiming-uniform with
/// a = √5, which is uniform in ±1/√in, and b uniform in ±1/√in; a network
/// ported from PyTorch trains from the same starting distribution.
public final class Linear<Scalar: TensorScalar>: Module<Scalar>, FakeQuantizable {
    public let inputCount: Int
    public let outputCount: Int
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>?
    /// Quantization-aware training (`Module.enableFakeQuantization()`); nil normally.
    public var fakeQuantization: FakeQuantization<Scalar>?

    /// A layer from `inputCount` to `outputCount` features, initialised from `generator`.
    public init<G: RandomNumberGenerator>(_ inputCount: Int, _ outputCount: Int, bias: Bool = true,
                                          using generator: inout G) {
        precondition(inputCount > 0 && outputCount > 0, "Linear: sizes must be positive, got \(inputCount) -> \(outputCount)")
        self.inputCount = inputCount
        self.outputCount = outputCount
        weight = Parameter(Init.kaimingUniform([outputCount, inputCount], a: 5.0.squareRoot(), using: &generator))
        let bound = Scalar(1 / Double(inputCount).squareRoot())
        self.bias = bias ? Parameter(.randomUniform([outputCount], low: -bound, high: bound, using: &generator)) : nil
        super.init()
    }

    /// A layer initialised from the system generator (not reproducible; pass
    /// a seeded generator for that).
    public convenience init(_ inputCount: Int, _ outputCount: Int, bias: Bool = true) {
        var generator = SystemRandomNumberGenerator()
        self.init(inputCount, outputCount, bias: bias, using: &generator)
    }

    /// A layer with the given weight [out, in] and optional bias [out].
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil) {
        precondition(weight.rank == 2, "Linear: weight must be [out, in], got \(weight.shape)")
        outputCount = weight.shape[0]
        inputCount = weight.shape[1]
        if let bias { precondition(bias.shape == [outputCount], "Linear: bias must be [\(outputCount)], got \(bias.shape)") }
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        super.init()
    }

    public override var ownParameters: [(name: String, parameter: Parameter<Scalar>)] {
        if let bias { return [("weight", weight), ("bias", bias)] }
        return [("weight", weight)]
    }

    public override var ownBuffers: [(name: String, buffer: Buffer<Scalar>)] { fakeQuantization?.buffers ?? [] }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let (x, w) = fakeQuantization?(input: input, weight: weight.value, training: isTraining) ?? (input, weight.value)
        return x.linear(weight: w, bias: bias?.value)
    }
}
