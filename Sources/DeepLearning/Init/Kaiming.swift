/// Kaiming/He initialisation (He et al., 2015): variance gain² / fan, so
/// that ReLU-family networks keep their activation (fan_in) or gradient
/// (fan_out) variance from layer to layer.
extension Init {
    /// Uniform in [-b, b] with b = gain · √(3 / fan), gain from
    /// `nonlinearity` (default: leaky ReLU with slope `a`, PyTorch's default
    /// arguments; `a` = √5 gives `Linear`'s and `Conv2d`'s default init).
    public static func kaimingUniform<Scalar: TensorScalar, G: RandomNumberGenerator>(
        _ shape: [Int], a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity? = nil,
        using generator: inout G
    ) -> Tensor<Scalar> {
        let gain = gain(nonlinearity ?? .leakyRelu(negativeSlope: a))
        let bound = gain * (3 / Double(fan(shape, mode))).squareRoot()
        return .randomUniform(shape, low: Scalar(-bound), high: Scalar(bound), using: &generator)
    }

    /// Normal with mean 0 and standard deviation gain / √fan.
    public static func kaimingNormal<Scalar: TensorScalar, G: RandomNumberGenerator>(
        _ shape: [Int], a: Double = 0, mode: FanMode = .fanIn, nonlinearity: Nonlinearity? = nil,
        using generator: inout G
    ) -> Tensor<Scalar> {
        let gain = gain(nonlinearity ?? .leakyRelu(negativeSlope: a))
        let std = gain / Double(fan(shape, mode)).squareRoot()
        return .randomNormal(shape, mean: 0, standardDeviation: Scalar(std), using: &generator)
    }
}
