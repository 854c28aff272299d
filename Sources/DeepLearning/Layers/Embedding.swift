/// A lookup table of `count` vectors of `dimensions` values (PyTorch's
/// `nn.Embedding`): index i selects row i of `weight`. The backward pass
/// scatter-adds into the rows that were used (`gatherRows`), so only they
/// get a gradient.
///
/// Initialised N(0, 1) as in PyTorch.
public final class Embedding<Scalar: TensorScalar>: Module<Scalar> {
    public let count: Int
    public let dimensions: Int
    public let weight: Parameter<Scalar>

    public init<G: RandomNumberGenerator>(count: Int, dimensions: Int, using generator: inout G) {
        precondition(count > 0 && dimensions > 0, "Embedding: sizes must be positive")
        self.count = count
        self.dimensions = dimensions
        weight = Parameter(.randomNormal([count, dimensions], using: &generator))
        super.init()
    }

    public convenience init(count: Int, dimensions: Int) {
        var generator = SystemRandomNumberGenerator()
        self.init(count: count, dimensions: dimensions, using: &generator)
    }

    /// A table with the given weight [count, dimensions].
    public init(weight: Tensor<Scalar>) {
        precondition(weight.rank == 2, "Embedding: weight must be [count, dimensions], got \(weight.shape)")
        count = weight.shape[0]
        dimensions = weight.shape[1]
        self.weight = Parameter(weight)
        super.init()
    }

    public override var ownParameters: [(name: String, parameter: Parameter<Scalar>)] { [("weight", weight)] }

    /// The rows for `indices`, shaped `shape + [dimensions]` (default: [indices.count, dimensions]).
    public func callAsFunction(_ indices: [Int], shape: [Int]? = nil) -> Tensor<Scalar> {
        let shape = shape ?? [indices.count]
        precondition(shape.reduce(1, *) == indices.count, "Embedding: shape \(shape) does not hold \(indices.count) indices")
        return weight.value.gatherRows(indices).reshaped(shape + [dimensions])
    }

    /// `input` holds integral indices as scalars (so the layer fits in a
    /// `Sequential`); the result has shape `input.shape + [dimensions]`.
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        let indices = input.scalars.map { value -> Int in
            precondition(value.rounded() == value, "Embedding: index \(value) is not an integer")
            return Int(value)
        }
        return self(indices, shape: input.shape)
    }
}
