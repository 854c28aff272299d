/// DenseNet-BC (Huang et al., 2017) in torchvision's layout.
///
/// Each dense layer is `Concat([(nil, body)], includeInput: true)`, i.e.
/// y = [x, body(x)] with body = norm1, relu1, conv1 (1x1, bnSize·k), norm2,
/// relu2, conv2 (3x3, k) inlined, so names are torchvision's:
/// `features.denseblock1.denselayer1.norm1.weight`, ...,
/// `features.transition1.conv.weight`, `features.norm5.*`, `classifier.*`.
/// Convolutions have no bias; conv weights Kaiming-normal (fan in) and the
/// classifier bias 0, as torchvision's constructor.
public enum DenseNet {
    /// torchvision's `densenet121()`: growth 32, blocks (6, 12, 24, 16),
    /// 64 initial features, bottleneck 4, compression 0.5;
    /// 7,978,856 parameters at 1000 classes; 2.87 GMACs at 224 x 224.
    public static func densenet121<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [3, 224, 224], classes: Int = 1000, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "densenet121")
        let stem: [(name: String, module: Module<S>)] = [
            ("conv0", Z.conv(inputShape[0], 64, 7, stride: 2, padding: 3, bias: false, &g) as Conv2d<S>),
            ("norm0", BatchNorm2d<S>(64)), ("relu0", ReLU<S>()), ("pool0", Z.maxPool(3, 2, padding: 1) as MaxPool2d<S>),
        ]
        return try make(stem: stem, stemChannels: 64, growth: 32, blocks: [6, 12, 24, 16], inputShape: inputShape,
                        classes: classes, name: "densenet121", &g)
    }

    /// DenseNet-BC for CIFAR (the paper's L = 100, k = 12): a 3x3 conv of
    /// 2k = 24 channels (`features.conv0`), three dense blocks of
    /// (L - 4) / 6 = 16 bottleneck layers, transitions halving the
    /// channels and the resolution, batch norm, global average pool, fc.
    /// 769,162 parameters at 10 classes (the paper's "0.8M").
    public static func cifarBC<S: TensorScalar, G: RandomNumberGenerator>(
        depth: Int = 100, growth: Int = 12, inputShape: [Int] = [3, 32, 32], classes: Int = 10, using g: inout G
    ) throws -> NamedSequential<S> {
        let name = "densenet-bc-\(depth)"
        guard depth >= 10, (depth - 4) % 6 == 0 else {
            throw ZooError.badConfiguration(model: name, reason: "DenseNet-BC depth must be 6n + 4")
        }
        try Z.checkChannels(inputShape, model: name)
        let n = (depth - 4) / 6
        let stem: [(name: String, module: Module<S>)] = [
            ("conv0", Z.conv(inputShape[0], 2 * growth, 3, padding: 1, bias: false, &g) as Conv2d<S>),
        ]
        return try make(stem: stem, stemChannels: 2 * growth, growth: growth, blocks: [n, n, n], inputShape: inputShape,
                        classes: classes, name: name, &g)
    }

    static func make<S: TensorScalar, G: RandomNumberGenerator>(
        stem: [(name: String, module: Module<S>)], stemChannels: Int, growth: Int, blocks: [Int], bottleneck: Int = 4,
        inputShape: [Int], classes: Int, name: String, _ g: inout G
    ) throws -> NamedSequential<S> {
        var features = stem
        var channels = stemChannels
        for (i, count) in blocks.enumerated() {
            var layers: [(name: String, module: Module<S>)] = []
            for j in 0..<count {
                layers.append(("denselayer\(j + 1)", denseLayer(channels + j * growth, growth, bottleneck, &g)))
            }
            features.append(("denseblock\(i + 1)", NamedSequential(layers)))
            channels += count * growth
            if i + 1 < blocks.count {
                let transition = NamedSequential<S>(
                    ("norm", BatchNorm2d<S>(channels)), ("relu", ReLU<S>()),
                    ("conv", Z.conv(channels, channels / 2, 1, bias: false, &g) as Conv2d<S>),
                    ("pool", AvgPool2d<S>(kernelSize: 2, stride: 2)))
                features.append(("transition\(i + 1)", transition))
                channels /= 2
            }
        }
        features.append(("norm5", BatchNorm2d<S>(channels)))
        let model = NamedSequential<S>(("features", NamedSequential(features)), ("relu", ReLU<S>()),
                                       ("avgpool", AdaptiveAvgPool2d<S>(outputSize: 1)), ("flatten", Flatten<S>()),
                                       ("classifier", Z.linear(channels, classes, &g) as Linear<S>))
        _ = try Z.flatCount(model, inputShape, model: name)
        Z.kaimingNormalConvs(model, mode: .fanIn, zeroLinearBias: true, &g)
        return model
    }

    /// y = [x, conv2(relu2(norm2(conv1(relu1(norm1(x))))))].
    static func denseLayer<S: TensorScalar, G: RandomNumberGenerator>(_ input: Int, _ growth: Int, _ bottleneck: Int,
                                                                      _ g: inout G) -> Concat<S> {
        let width = bottleneck * growth
        let body = NamedSequential<S>(
            ("norm1", BatchNorm2d<S>(input)), ("relu1", ReLU<S>()),
            ("conv1", Z.conv(input, width, 1, bias: false, &g) as Conv2d<S>),
            ("norm2", BatchNorm2d<S>(width)), ("relu2", ReLU<S>()),
            ("conv2", Z.conv(width, growth, 3, padding: 1, bias: false, &g) as Conv2d<S>))
        return Concat([(name: nil, module: body)], includeInput: true)
    }
}
