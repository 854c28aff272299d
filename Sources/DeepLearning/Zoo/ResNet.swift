/// ResNet-18/34 (He et al., 2015) in torchvision's layout, with BasicBlock.
///
/// Names as torchvision: `conv1.weight`, `bn1.*`, `layer1.0.conv1.weight`,
/// `layer1.0.bn1.running_mean`, `layer2.0.downsample.0.weight` (1x1 conv),
/// `layer2.0.downsample.1.*` (its batch norm), `fc.weight`. Convolutions
/// have no bias; conv weights are Kaiming-normal (fan out, ReLU) as in
/// torchvision's constructor, batch norms 1 and 0.
public enum ResNet {
    public enum Depth: Int, Sendable, CaseIterable {
        case resnet18 = 18, resnet34 = 34
        var blocks: [Int] { self == .resnet18 ? [2, 2, 2, 2] : [3, 4, 6, 3] }
    }

    /// torchvision's `resnet18()` / `resnet34()`: 11,689,512 / 21,797,672
    /// parameters at 1000 classes; 1.82 / 3.67 GMACs at 224 x 224.
    /// With `cifarStem` the stem is a 3x3/1 conv without max pool (the
    /// usual CIFAR ResNet-18 of kuangliu/pytorch-cifar, same counts:
    /// 11,173,962 parameters at 10 classes), names unchanged.
    public static func make<S: TensorScalar, G: RandomNumberGenerator>(
        _ depth: Depth, cifarStem: Bool = false, inputShape: [Int]? = nil, classes: Int? = nil, using g: inout G
    ) throws -> NamedSequential<S> {
        let name = "resnet\(depth.rawValue)\(cifarStem ? "-cifar" : "")"
        let inputShape = inputShape ?? (cifarStem ? [3, 32, 32] : [3, 224, 224])
        let classes = classes ?? (cifarStem ? 10 : 1000)
        try Z.checkChannels(inputShape, model: name)
        var layers: [(name: String, module: Module<S>)]
        if cifarStem {
            layers = [("conv1", Z.conv(inputShape[0], 64, 3, padding: 1, bias: false, &g) as Conv2d<S>),
                      ("bn1", BatchNorm2d<S>(64)), ("relu", ReLU<S>())]
        } else {
            layers = [("conv1", Z.conv(inputShape[0], 64, 7, stride: 2, padding: 3, bias: false, &g) as Conv2d<S>),
                      ("bn1", BatchNorm2d<S>(64)), ("relu", ReLU<S>()), ("maxpool", Z.maxPool(3, 2, padding: 1) as MaxPool2d<S>)]
        }
        var channels = 64
        for (stage, (width, count)) in zip([64, 128, 256, 512], depth.blocks).enumerated() {
            var blocks: [Module<S>] = []
            for b in 0..<count {
                let stride = stage > 0 && b == 0 ? 2 : 1
                var downsample: Module<S>? = nil
                if stride != 1 || channels != width {
                    downsample = Sequential<S>(Z.conv(channels, width, 1, stride: stride, bias: false, &g) as Conv2d<S>,
                                               BatchNorm2d<S>(width))
                }
                blocks.append(basicBlock(channels, width, stride: stride, shortcut: downsample, shortcutName: "downsample", &g))
                channels = width
            }
            layers.append(("layer\(stage + 1)", Sequential(blocks)))
        }
        layers += [("avgpool", AdaptiveAvgPool2d<S>(outputSize: 1)), ("flatten", Flatten<S>()),
                   ("fc", Z.linear(512, classes, &g) as Linear<S>)]
        let model = NamedSequential(layers)
        _ = try Z.flatCount(model, inputShape, model: name)
        Z.kaimingNormalConvs(model, mode: .fanOut, &g)
        return model
    }

    /// BasicBlock: conv1 3x3/stride, bn1, relu, conv2 3x3, bn2, + shortcut,
    /// relu; the body inlined so names are `conv1.weight` ... and the
    /// shortcut `<shortcutName>.0.weight`.
    static func basicBlock<S: TensorScalar, G: RandomNumberGenerator>(
        _ input: Int, _ width: Int, stride: Int, shortcut: Module<S>?, shortcutName: String, _ g: inout G
    ) -> Residual<S> {
        let relu = ReLU<S>()
        let body = NamedSequential<S>(
            ("conv1", Z.conv(input, width, 3, stride: stride, padding: 1, bias: false, &g) as Conv2d<S>),
            ("bn1", BatchNorm2d<S>(width)), ("relu", relu),
            ("conv2", Z.conv(width, width, 3, padding: 1, bias: false, &g) as Conv2d<S>), ("bn2", BatchNorm2d<S>(width)))
        return Residual(body, bodyName: nil, shortcut: shortcut, shortcutName: shortcutName,
                        activation: relu, activationName: "relu")
    }
}
