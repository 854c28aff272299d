/// Max pooling over [N, C, H, W] (PyTorch's `nn.MaxPool2d`, no dilation);
/// `stride` defaults to the kernel size.
public final class MaxPool2d<Scalar: TensorScalar>: Module<Scalar> {
    public let kernelSize: Size2d
    public let stride: Size2d
    public let padding: Padding2d
    public let ceilMode: Bool

    public init(kernelSize: Size2d, stride: Size2d? = nil, padding: Padding2d = 0, ceilMode: Bool = false) {
        (self.kernelSize, self.stride, self.padding, self.ceilMode) = (kernelSize, stride ?? kernelSize, padding, ceilMode)
        super.init()
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        maxPool2d(input, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode)
    }
}

/// Average pooling over [N, C, H, W] (PyTorch's `nn.AvgPool2d`); `stride`
/// defaults to the kernel size.
public final class AvgPool2d<Scalar: TensorScalar>: Module<Scalar> {
    public let kernelSize: Size2d
    public let stride: Size2d
    public let padding: Padding2d
    public let ceilMode: Bool
    public let countIncludePad: Bool

    public init(kernelSize: Size2d, stride: Size2d? = nil, padding: Padding2d = 0, ceilMode: Bool = false,
                countIncludePad: Bool = true) {
        (self.kernelSize, self.stride, self.padding) = (kernelSize, stride ?? kernelSize, padding)
        (self.ceilMode, self.countIncludePad) = (ceilMode, countIncludePad)
        super.init()
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        avgPool2d(input, kernel: kernelSize, stride: stride, padding: padding, ceilMode: ceilMode,
                  countIncludePad: countIncludePad)
    }
}

/// The mean over each channel's plane: [N, C, H, W] -> [N, C, 1, 1]
/// (PyTorch's `nn.AdaptiveAvgPool2d(1)`).
public final class GlobalAvgPool2d<Scalar: TensorScalar>: Module<Scalar> {
    public override init() { super.init() }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(input.rank == 4, "GlobalAvgPool2d: input must be [N, C, H, W], got \(input.shape)")
        return globalAvgPool(input)
    }
}

/// Local response normalisation across channels (PyTorch's `nn.LocalResponseNorm`).
public final class LocalResponseNorm<Scalar: TensorScalar>: Module<Scalar> {
    public let size: Int
    public let alpha: Double
    public let beta: Double
    public let k: Double

    public init(size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1) {
        precondition(size >= 1, "LocalResponseNorm: size must be at least 1, got \(size)")
        (self.size, self.alpha, self.beta, self.k) = (size, alpha, beta, k)
        super.init()
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        localResponseNorm(input, size: size, alpha: alpha, beta: beta, k: k)
    }
}
