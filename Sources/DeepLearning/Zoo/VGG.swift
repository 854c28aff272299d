/// VGG (Simonyan & Zisserman, 2014), configurations A (VGG-11) and D (VGG-16).
public enum VGG {
    public enum Depth: Int, Sendable, CaseIterable {
        case vgg11 = 11, vgg16 = 16

        /// Output channels of each 3x3 conv; 0 is a 2x2/2 max pool.
        var configuration: [Int] {
            switch self {
            case .vgg11: return [64, 0, 128, 0, 256, 256, 0, 512, 512, 0, 512, 512, 0]
            case .vgg16: return [64, 64, 0, 128, 128, 0, 256, 256, 256, 0, 512, 512, 512, 0, 512, 512, 512, 0]
            }
        }
    }

    /// torchvision's `vgg11()` / `vgg16()` (`_bn` with `batchNorm`):
    /// features (3x3 pad 1 convs [+ BatchNorm2d] + ReLU, 2x2 max pools),
    /// `AdaptiveAvgPool2d(7)`, classifier 25088->4096, ReLU, Dropout 0.5,
    /// 4096->4096, ReLU, Dropout, 4096->classes. Names `features.N.weight`,
    /// `classifier.{0,3,6}.weight`, as torchvision. Parameters at 1000
    /// classes: VGG-11 132,863,336 (BN 132,868,840), VGG-16 138,357,544
    /// (BN 138,365,992).
    public static func imageNet<S: TensorScalar, G: RandomNumberGenerator>(
        _ depth: Depth, batchNorm: Bool = false, inputShape: [Int] = [3, 224, 224], classes: Int = 1000, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "vgg\(depth.rawValue)")
        let features = makeFeatures(depth, batchNorm: batchNorm, inputChannels: inputShape[0], &g) as Sequential<S>
        _ = try Z.flatCount(features, inputShape, model: "vgg\(depth.rawValue)")
        let classifier = Sequential<S>([
            Z.linear(512 * 7 * 7, 4096, &g) as Linear<S>, ReLU<S>(), Z.dropout(0.5, &g) as Dropout<S>,
            Z.linear(4096, 4096, &g) as Linear<S>, ReLU<S>(), Z.dropout(0.5, &g) as Dropout<S>,
            Z.linear(4096, classes, &g) as Linear<S>,
        ])
        return NamedSequential(("features", features), ("avgpool", AdaptiveAvgPool2d<S>(outputSize: 7)),
                               ("flatten", Flatten<S>()), ("classifier", classifier))
    }

    /// The CIFAR VGG of kuangliu/pytorch-cifar (the common CIFAR port):
    /// the same features (with `batchNorm`, as kuangliu's; without, the
    /// plain variant) ending in a 1x1/1 average pool, then one
    /// `classifier` Linear 512->classes on the 1x1x512 map of a 32x32 input.
    /// Parameters at 10 classes: VGG-11 9,231,114 with BN (9,225,610
    /// without), VGG-16 14,728,266 with BN (14,719,818 without).
    public static func cifar<S: TensorScalar, G: RandomNumberGenerator>(
        _ depth: Depth, batchNorm: Bool = true, inputShape: [Int] = [3, 32, 32], classes: Int = 10, using g: inout G
    ) throws -> NamedSequential<S> {
        let name = "vgg\(depth.rawValue)\(batchNorm ? "-bn" : "")-cifar"
        try Z.checkChannels(inputShape, model: name)
        let features = makeFeatures(depth, batchNorm: batchNorm, inputChannels: inputShape[0], &g) as Sequential<S>
        features.append(AvgPool2d<S>(kernelSize: 1, stride: 1))
        let flat = try Z.flatCount(features, inputShape, model: name)
        return NamedSequential(("features", features), ("flatten", Flatten<S>()),
                               ("classifier", Z.linear(flat, classes, &g) as Linear<S>))
    }

    static func makeFeatures<S: TensorScalar, G: RandomNumberGenerator>(_ depth: Depth, batchNorm: Bool, inputChannels: Int,
                                                                        _ g: inout G) -> Sequential<S> {
        var layers: [Module<S>] = []
        var channels = inputChannels
        for v in depth.configuration {
            if v == 0 {
                layers.append(Z.maxPool(2, 2) as MaxPool2d<S>)
            } else {
                layers.append(Z.conv(channels, v, 3, padding: 1, &g) as Conv2d<S>)
                if batchNorm { layers.append(BatchNorm2d<S>(v)) }
                layers.append(ReLU<S>())
                channels = v
            }
        }
        return Sequential(layers)
    }
}
