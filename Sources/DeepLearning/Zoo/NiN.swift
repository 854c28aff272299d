/// Network in Network (Lin, Chen & Yan, 2013): "mlpconv" blocks (a
/// spatial conv followed by two 1x1 convs, each with ReLU) and global
/// average pooling instead of fully connected layers.
public enum NiN {
    /// The paper's CIFAR-10 model (its Caffe definition): 192@5x5, 160@1x1,
    /// 96@1x1, 3x3/2 max pool, dropout 0.5; 192@5x5, 192@1x1, 192@1x1,
    /// 3x3/2 average pool, dropout; 192@3x3, 192@1x1, classes@1x1; global
    /// average pool. Pools round up (Caffe; `ceilMode`), 32 -> 16 -> 8.
    /// 966,986 parameters at 10 classes. Names `features.N.weight`.
    public static func cifar<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [3, 32, 32], classes: Int = 10, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "nin-cifar")
        var layers: [Module<S>] = []
        layers += block(inputShape[0], [192, 160, 96], 5, stride: 1, padding: 2, &g)
        layers += [Z.maxPool(3, 2, ceil: true) as MaxPool2d<S>, Z.dropout(0.5, &g) as Dropout<S>]
        layers += block(96, [192, 192, 192], 5, stride: 1, padding: 2, &g)
        layers += [AvgPool2d<S>(kernelSize: 3, stride: 2, ceilMode: true), Z.dropout(0.5, &g) as Dropout<S>]
        layers += block(192, [192, 192, classes], 3, stride: 1, padding: 1, &g)
        let features = Sequential(layers)
        _ = try Z.flatCount(features, inputShape, model: "nin-cifar")
        return NamedSequential(("features", features), ("avgpool", GlobalAvgPool2d<S>()), ("flatten", Flatten<S>()))
    }

    /// The ImageNet-sized NiN of Dive into Deep Learning (after the paper's
    /// ImageNet model): blocks 96@11x11/4, 256@5x5 pad 2, 384@3x3 pad 1,
    /// each followed by a 3x3/2 max pool, dropout 0.5, a block
    /// classes@3x3 pad 1, global average pool. 7,439,608 parameters at 1000 classes.
    public static func imageNet<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [3, 224, 224], classes: Int = 1000, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "nin")
        var layers: [Module<S>] = []
        layers += block(inputShape[0], [96, 96, 96], 11, stride: 4, padding: 0, &g)
        layers.append(Z.maxPool(3, 2) as MaxPool2d<S>)
        layers += block(96, [256, 256, 256], 5, stride: 1, padding: 2, &g)
        layers.append(Z.maxPool(3, 2) as MaxPool2d<S>)
        layers += block(256, [384, 384, 384], 3, stride: 1, padding: 1, &g)
        layers += [Z.maxPool(3, 2) as MaxPool2d<S>, Z.dropout(0.5, &g) as Dropout<S>]
        layers += block(384, [classes, classes, classes], 3, stride: 1, padding: 1, &g)
        let features = Sequential(layers)
        _ = try Z.flatCount(features, inputShape, model: "nin")
        return NamedSequential(("features", features), ("avgpool", GlobalAvgPool2d<S>()), ("flatten", Flatten<S>()))
    }

    /// conv k x k, ReLU, conv 1x1, ReLU, conv 1x1, ReLU.
    static func block<S: TensorScalar, G: RandomNumberGenerator>(_ input: Int, _ widths: [Int], _ k: Int, stride: Int,
                                                                 padding: Int, _ g: inout G) -> [Module<S>] {
        [Z.conv(input, widths[0], k, stride: stride, padding: padding, &g) as Conv2d<S>, ReLU<S>(),
         Z.conv(widths[0], widths[1], 1, &g) as Conv2d<S>, ReLU<S>(),
         Z.conv(widths[1], widths[2], 1, &g) as Conv2d<S>, ReLU<S>()]
    }
}
