/// Fan sizes and gains for weight initialisation, with PyTorch's formulas
/// (`torch.nn.init._calculate_fan_in_and_fan_out`, `calculate_gain`), so
/// that a model initialised here starts from the same distributions as
/// its PyTorch counterpart.
public enum Init {
    /// Which fan scales the variance: `fanIn` preserves the forward
    /// activations' variance, `fanOut` the backward gradients'.
    public enum FanMode: Sendable { case fanIn, fanOut }

    /// The nonlinearity that follows the layer, for `gain(_:)`.
    public enum Nonlinearity: Sendable, Equatable {
        case linear, sigmoid, tanh, relu
        /// Leaky ReLU with this negative slope (PyTorch's `a`).
        case leakyRelu(negativeSlope: Double)
        case selu
    }

    /// (fan_in, fan_out) of a weight of `shape`: [out, in, k...] has
    /// fan_in = in · Πk and fan_out = out · Πk (the receptive field counts
    /// once per connection). Needs rank ≥ 2.
    public static func fans(_ shape: [Int]) -> (fanIn: Int, fanOut: Int) {
        precondition(shape.count >= 2, "Init.fans: fan in and fan out need a shape of rank 2 or more, got \(shape)")
        let receptiveField = shape.dropFirst(2).reduce(1, *)
        return (shape[1] * receptiveField, shape[0] * receptiveField)
    }

    /// The recommended gain for `nonlinearity`: 1 for linear and sigmoid,
    /// 5/3 for tanh, √2 for ReLU, √(2 / (1 + slope²)) for leaky ReLU, 3/4 for SELU.
    public static func gain(_ nonlinearity: Nonlinearity) -> Double {
        switch nonlinearity {
        case .linear, .sigmoid: return 1
        case .tanh: return 5.0 / 3
        case .relu: return 2.0.squareRoot()
        case .leakyRelu(let slope): return (2 / (1 + slope * slope)).squareRoot()
        case .selu: return 0.75
        }
    }

    static func fan(_ shape: [Int], _ mode: FanMode) -> Int {
        let (fanIn, fanOut) = fans(shape)
        return mode == .fanIn ? fanIn : fanOut
    }
}
