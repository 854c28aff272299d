/// A 2-D convolution over [N, C, H, W] (PyTorch's `nn.Conv2d`): weight
/// [out, in/groups, kh, kw], bias [out]. Runs `conv2d` (the C kernels for Float).
///
/// Default initialisation is PyTorch's: W Kaiming-uniform with a = √5
/// (uniform in ±1/√fan_in, fan_in = in/groups · kh · kw) and b uniform in ±1/√fan_in.
public final class Conv2d<Scalar: TensorScalar>: Module<Scalar>, FakeQuantizable {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Size2d
    public let stride: Size2d
    public let padding: Padding2d
    public let dilation: Size2d
    public let groups: Int
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>?
    /// Quantization-aware training (`Module.enableFakeQuantization()`); nil normally.
    public var fakeQuantization: FakeQuantization<Scalar>?

    public init<G: RandomNumberGenerator>(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2d,
                                          stride: Size2d = 1, padding: Padding2d = 0, dilation: Size2d = 1,
                                          groups: Int = 1, bias: Bool = true, using generator: inout G) {
        precondition(inputChannels > 0 && outputChannels > 0 && groups > 0
                     && inputChannels % groups == 0 && outputChannels % groups == 0,
                     "Conv2d: channels \(inputChannels) -> \(outputChannels) must be positive multiples of groups \(groups)")
        precondition(kernelSize.height > 0 && kernelSize.width > 0, "Conv2d: kernel size \(kernelSize) must be positive")
        let shape = [outputChannels, inputChannels / groups, kernelSize.height, kernelSize.width]
        let w: Tensor<Scalar> = Init.kaimingUniform(shape, a: 5.0.squareRoot(), using: &generator)
        let bound = Scalar(1 / Double(Init.fans(shape).fanIn).squareRoot())
        let b: Tensor<Scalar>? = bias ? .randomUniform([outputChannels], low: -bound, high: bound, using: &generator) : nil
        (self.inputChannels, self.outputChannels, self.kernelSize) = (inputChannels, outputChannels, kernelSize)
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
        weight = Parameter(w)
        self.bias = b.map { Parameter($0) }
        super.init()
    }

    /// A layer initialised from the system generator (not reproducible; pass a seeded generator for that).
    public convenience init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2d, stride: Size2d = 1,
                            padding: Padding2d = 0, dilation: Size2d = 1, groups: Int = 1, bias: Bool = true) {
        var generator = SystemRandomNumberGenerator()
        self.init(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  dilation: dilation, groups: groups, bias: bias, using: &generator)
    }

    /// A layer with the given weight [out, in/groups, kh, kw] and optional bias [out].
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil, stride: Size2d = 1, padding: Padding2d = 0,
                dilation: Size2d = 1, groups: Int = 1) {
        precondition(weight.rank == 4 && groups > 0 && weight.shape[0] % groups == 0,
                     "Conv2d: weight must be [out, in/groups, kh, kw] with out a multiple of groups \(groups), got \(weight.shape)")
        if let bias { precondition(bias.shape == [weight.shape[0]], "Conv2d: bias must be [\(weight.shape[0])], got \(bias.shape)") }
        (inputChannels, outputChannels) = (weight.shape[1] * groups, weight.shape[0])
        kernelSize = Size2d(weight.shape[2], weight.shape[3])
        (self.stride, self.padding, self.dilation, self.groups) = (stride, padding, dilation, groups)
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
        precondition(input.rank == 4 && input.shape[1] == inputChannels,
                     "Conv2d(\(inputChannels) -> \(outputChannels)): input must be [N, \(inputChannels), H, W], got \(input.shape)")
        let (x, w) = fakeQuantization?(input: input, weight: weight.value, training: isTraining) ?? (input, weight.value)
        return conv2d(x, weight: w, bias: bias?.value, stride: stride, padding: padding,
                      dilation: dilation, groups: groups)
    }
}

/// A 2-D transposed convolution (PyTorch's `nn.ConvTranspose2d`): weight
/// [in, out/groups, kh, kw], bias [out]; output size
/// (H - 1) · stride - top - bottom + dilation · (kh - 1) + outputPadding + 1.
///
/// Default initialisation is PyTorch's: Kaiming-uniform with a = √5 on the
/// weight as stored, so fan_in = out/groups · kh · kw, and b uniform in ±1/√fan_in.
public final class ConvTranspose2d<Scalar: TensorScalar>: Module<Scalar> {
    public let inputChannels: Int
    public let outputChannels: Int
    public let kernelSize: Size2d
    public let stride: Size2d
    public let padding: Padding2d
    public let outputPadding: Size2d
    public let dilation: Size2d
    public let groups: Int
    public let weight: Parameter<Scalar>
    public let bias: Parameter<Scalar>?

    public init<G: RandomNumberGenerator>(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2d,
                                          stride: Size2d = 1, padding: Padding2d = 0, outputPadding: Size2d = 0,
                                          dilation: Size2d = 1, groups: Int = 1, bias: Bool = true,
                                          using generator: inout G) {
        precondition(inputChannels > 0 && outputChannels > 0 && groups > 0
                     && inputChannels % groups == 0 && outputChannels % groups == 0,
                     "ConvTranspose2d: channels \(inputChannels) -> \(outputChannels) must be positive multiples of groups \(groups)")
        precondition(kernelSize.height > 0 && kernelSize.width > 0, "ConvTranspose2d: kernel size \(kernelSize) must be positive")
        let shape = [inputChannels, outputChannels / groups, kernelSize.height, kernelSize.width]
        let w: Tensor<Scalar> = Init.kaimingUniform(shape, a: 5.0.squareRoot(), using: &generator)
        let bound = Scalar(1 / Double(Init.fans(shape).fanIn).squareRoot())
        let b: Tensor<Scalar>? = bias ? .randomUniform([outputChannels], low: -bound, high: bound, using: &generator) : nil
        (self.inputChannels, self.outputChannels, self.kernelSize) = (inputChannels, outputChannels, kernelSize)
        (self.stride, self.padding, self.outputPadding) = (stride, padding, outputPadding)
        (self.dilation, self.groups) = (dilation, groups)
        weight = Parameter(w)
        self.bias = b.map { Parameter($0) }
        super.init()
    }

    /// A layer initialised from the system generator (not reproducible; pass a seeded generator for that).
    public convenience init(_ inputChannels: Int, _ outputChannels: Int, kernelSize: Size2d, stride: Size2d = 1,
                            padding: Padding2d = 0, outputPadding: Size2d = 0, dilation: Size2d = 1,
                            groups: Int = 1, bias: Bool = true) {
        var generator = SystemRandomNumberGenerator()
        self.init(inputChannels, outputChannels, kernelSize: kernelSize, stride: stride, padding: padding,
                  outputPadding: outputPadding, dilation: dilation, groups: groups, bias: bias, using: &generator)
    }

    /// A layer with the given weight [in, out/groups, kh, kw] and optional bias [out].
    public init(weight: Tensor<Scalar>, bias: Tensor<Scalar>? = nil, stride: Size2d = 1, padding: Padding2d = 0,
                outputPadding: Size2d = 0, dilation: Size2d = 1, groups: Int = 1) {
        precondition(weight.rank == 4 && groups > 0 && weight.shape[0] % groups == 0,
                     "ConvTranspose2d: weight must be [in, out/groups, kh, kw] with in a multiple of groups \(groups), got \(weight.shape)")
        let out = weight.shape[1] * groups
        if let bias { precondition(bias.shape == [out], "ConvTranspose2d: bias must be [\(out)], got \(bias.shape)") }
        (inputChannels, outputChannels) = (weight.shape[0], out)
        kernelSize = Size2d(weight.shape[2], weight.shape[3])
        (self.stride, self.padding, self.outputPadding) = (stride, padding, outputPadding)
        (self.dilation, self.groups) = (dilation, groups)
        self.weight = Parameter(weight)
        self.bias = bias.map { Parameter($0) }
        super.init()
    }

    public override var ownParameters: [(name: String, parameter: Parameter<Scalar>)] {
        if let bias { return [("weight", weight), ("bias", bias)] }
        return [("weight", weight)]
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(input.rank == 4 && input.shape[1] == inputChannels,
                     "ConvTranspose2d(\(inputChannels) -> \(outputChannels)): input must be [N, \(inputChannels), H, W], got \(input.shape)")
        return convTranspose2d(input, weight: weight.value, bias: bias?.value, stride: stride, padding: padding,
                               outputPadding: outputPadding, dilation: dilation, groups: groups)
    }
}
