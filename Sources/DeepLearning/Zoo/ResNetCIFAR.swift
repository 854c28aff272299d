/// The CIFAR ResNets of He et al. (2015, section 4.2): a 3x3 conv of 16,
/// three stages of n basic blocks at 16, 32, 64 channels (32, 16, 8
/// pixels), global average pool, fc; depth 6n + 2 (20, 32, 44, 56, 110).
///
/// Layout and names of akamaster/pytorch_resnet_cifar10, the reference
/// PyTorch port: `conv1`, `bn1`, `layer1.0.conv1.weight`, ...,
/// `layer3.2.bn2.running_var`, `linear.weight`. Convolutions have no bias.
/// Weights: Kaiming-normal (fan in) on convs and the fc, as akamaster.
public enum ResNetCIFAR {
    public enum Shortcut: Sendable {
        /// Option A (the paper's CIFAR choice): identity; where the shape
        /// changes, subsample by 2 and zero-pad the new channels (no
        /// parameters). ResNet-20 has 269,722 parameters: the "0.27M" of the paper.
        case zeroPad
        /// Option B: a 1x1 stride-2 conv + BatchNorm2d (`shortcut.0`,
        /// `shortcut.1`) where the shape changes. ResNet-20 has 272,474.
        case projection
    }

    public static func make<S: TensorScalar, G: RandomNumberGenerator>(
        depth: Int, shortcut: Shortcut = .zeroPad, inputShape: [Int] = [3, 32, 32], classes: Int = 10, using g: inout G
    ) throws -> NamedSequential<S> {
        guard depth >= 8, (depth - 2) % 6 == 0 else {
            throw ZooError.badConfiguration(model: "resnet\(depth)", reason: "CIFAR ResNet depth must be 6n + 2 with n >= 1")
        }
        try Z.checkChannels(inputShape, model: "resnet\(depth)")
        let n = (depth - 2) / 6
        var layers: [(name: String, module: Module<S>)] = [
            ("conv1", Z.conv(inputShape[0], 16, 3, padding: 1, bias: false, &g) as Conv2d<S>),
            ("bn1", BatchNorm2d<S>(16)), ("relu", ReLU<S>()),
        ]
        var channels = 16
        for (stage, width) in [16, 32, 64].enumerated() {
            var blocks: [Module<S>] = []
            for b in 0..<n {
                let stride = stage > 0 && b == 0 ? 2 : 1
                var skip: Module<S>? = nil
                if stride != 1 || channels != width {
                    switch shortcut {
                    case .zeroPad: skip = ZeroPadShortcut<S>(stride: stride, padChannels: (width - channels) / 2)
                    case .projection:
                        skip = Sequential<S>(Z.conv(channels, width, 1, stride: stride, bias: false, &g) as Conv2d<S>,
                                             BatchNorm2d<S>(width))
                    }
                }
                blocks.append(ResNet.basicBlock(channels, width, stride: stride, shortcut: skip, shortcutName: "shortcut", &g))
                channels = width
            }
            layers.append(("layer\(stage + 1)", Sequential(blocks)))
        }
        layers += [("avgpool", GlobalAvgPool2d<S>()), ("flatten", Flatten<S>()), ("linear", Z.linear(64, classes, &g) as Linear<S>)]
        let model = NamedSequential(layers)
        _ = try Z.flatCount(model, inputShape, model: "resnet\(depth)")
        Z.kaimingNormalConvs(model, mode: .fanIn, linears: true, &g)
        return model
    }
}

/// The option A shortcut: x[:, :, ::stride, ::stride] with `padChannels`
/// zero channels added before and after (akamaster's `LambdaLayer`). No parameters.
public final class ZeroPadShortcut<Scalar: TensorScalar>: Module<Scalar> {
    public let stride: Int
    public let padChannels: Int

    public init(stride: Int, padChannels: Int) {
        precondition(stride >= 1 && padChannels >= 0, "ZeroPadShortcut: stride \(stride), padChannels \(padChannels)")
        (self.stride, self.padChannels) = (stride, padChannels)
        super.init()
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(input.rank == 4, "ZeroPadShortcut: input must be [N, C, H, W], got \(input.shape)")
        // A 1x1 max pool with stride s is exactly the ::s subsampling, with its gradient.
        let x = stride == 1 ? input : maxPool2d(input, kernel: 1, stride: Size2d(stride, stride))
        guard padChannels > 0 else { return x }
        let zeros = Tensor<Scalar>.zeros([x.shape[0], padChannels, x.shape[2], x.shape[3]])
        return Tensor.concatenate([zeros, x, zeros], axis: 1)
    }
}

extension ZeroPadShortcut: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try requireRank(shape, 4, self)
        let s = stride
        return [shape[0], shape[1] + 2 * padChannels, (shape[2] + s - 1) / s, (shape[3] + s - 1) / s]
    }
}
