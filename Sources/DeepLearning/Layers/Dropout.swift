/// Inverted dropout (PyTorch's `nn.Dropout`): in training mode each element
/// is zeroed with probability `p` and the survivors are scaled by
/// 1 / (1 - p), so the expected activation is unchanged and evaluation mode
/// is the identity, with no rescaling at inference.
///
/// The mask comes from the layer's own seeded generator, not a global one:
/// a run is reproducible, and the generator's `state` can be checkpointed
/// and restored so a resumed run draws the same masks.
public final class Dropout<Scalar: TensorScalar>: Module<Scalar> {
    /// The probability of zeroing an element, in [0, 1].
    public let p: Double
    /// The mask source; its `state` is the layer's only state.
    public var generator: SplitMix64

    public init(p: Double = 0.5, seed: UInt64 = 0) {
        precondition(p >= 0 && p <= 1, "Dropout: p must be in [0, 1], got \(p)")
        self.p = p
        generator = SplitMix64(seed: seed)
        super.init()
    }

    /// The next mask for `shape`: 0 where dropped, 1 / (1 - p) where kept
    /// (all zeros when p = 1). Draws from `generator`.
    public func nextMask(_ shape: [Int]) -> Tensor<Scalar> {
        let n = shape.reduce(1, *)
        let scale = p < 1 ? Scalar(1 / (1 - p)) : 0
        var values = [Scalar](repeating: 0, count: n)
        for i in 0..<n where Double.random(in: 0..<1, using: &generator) >= p { values[i] = scale }
        return Tensor(shape: shape, scalars: values)
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        guard isTraining, p > 0 else { return input }
        return input * nextMask(input.shape)
    }
}
