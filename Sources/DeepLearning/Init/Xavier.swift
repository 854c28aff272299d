/// Xavier/Glorot initialisation (Glorot & Bengio, 2010): variance
/// gain² · 2 / (fan_in + fan_out), balancing forward and backward signal
/// for roughly linear (tanh, sigmoid) layers.
extension Init {
    /// Uniform in [-b, b] with b = gain · √(6 / (fan_in + fan_out)).
    public static func xavierUniform<Scalar: TensorScalar, G: RandomNumberGenerator>(
        _ shape: [Int], gain: Double = 1, using generator: inout G
    ) -> Tensor<Scalar> {
        let (fanIn, fanOut) = fans(shape)
        let bound = gain * (6 / Double(fanIn + fanOut)).squareRoot()
        return .randomUniform(shape, low: Scalar(-bound), high: Scalar(bound), using: &generator)
    }

    /// Normal with mean 0 and standard deviation gain · √(2 / (fan_in + fan_out)).
    public static func xavierNormal<Scalar: TensorScalar, G: RandomNumberGenerator>(
        _ shape: [Int], gain: Double = 1, using generator: inout G
    ) -> Tensor<Scalar> {
        let (fanIn, fanOut) = fans(shape)
        let std = gain * (2 / Double(fanIn + fanOut)).squareRoot()
        return .randomNormal(shape, mean: 0, standardDeviation: Scalar(std), using: &generator)
    }
}
