/// Elementwise math and activations. Each forward is one `map` kernel call
/// and each backward one `zip` kernel call with the saved input or output.
extension Tensor {
    /// An op whose gradient is `rule(g, saved)`, saving the input (or the output).
    private func unary(_ name: String, _ f: UnaryKernel<Scalar>, rule: BinaryKernel<Scalar>, savingOutput: Bool = false) -> Tensor {
        let y = mapped(f)
        let saved = savingOutput ? y : detached()
        return Tensor.record(name, y, inputs: [self]) { g in [g.zipped(rule, saved)] }
    }

    public func exp() -> Tensor { unary("exp", .exp, rule: .multiply, savingOutput: true) }
    public func log() -> Tensor { unary("log", .log, rule: .divide) }
    public func sqrt() -> Tensor { unary("sqrt", .sqrt, rule: .sqrtBackward, savingOutput: true) }
    public func pow(_ exponent: Scalar) -> Tensor { unary("pow", .pow(exponent), rule: .powBackward(exponent)) }
    public func squared() -> Tensor { pow(2) }
    /// |x|; the gradient at 0 is 0.
    public func abs() -> Tensor { unary("abs", .abs, rule: .absBackward) }
    /// x limited to [min, max]; the gradient passes where min <= x <= max.
    public func clamped(min: Scalar, max: Scalar) -> Tensor {
        precondition(min <= max, "clamped: min \(min) > max \(max)")
        return unary("clamp", .clamp(min: min, max: max), rule: .clampBackward(min: min, max: max))
    }
    /// max(x, 0); the gradient at 0 is 0.
    public func relu() -> Tensor { unary("relu", .relu, rule: .reluBackward) }
    /// x for x > 0, else slope * x.
    public func leakyRelu(slope: Scalar = 0.01) -> Tensor {
        unary("leakyRelu", .leakyRelu(slope: slope), rule: .leakyReluBackward(slope: slope))
    }
    public func sigmoid() -> Tensor { unary("sigmoid", .sigmoid, rule: .sigmoidBackward, savingOutput: true) }
    public func tanh() -> Tensor { unary("tanh", .tanh, rule: .tanhBackward, savingOutput: true) }
}

public func exp<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.exp() }
public func log<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.log() }
public func sqrt<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.sqrt() }
public func abs<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.abs() }
public func relu<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.relu() }
public func sigmoid<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.sigmoid() }
public func tanh<Scalar>(_ x: Tensor<Scalar>) -> Tensor<Scalar> { x.tanh() }
