/// AlexNet (Krizhevsky, Sutskever & Hinton, 2012) in three forms.
public enum AlexNet {
    /// torchvision's `alexnet()`: features (64-192-384-256-256 convs, ReLU,
    /// 3x3/2 max pools), `AdaptiveAvgPool2d(6)`, classifier (Dropout 0.5,
    /// 9216->4096, ReLU, Dropout, 4096->4096, ReLU, 4096->classes); no LRN.
    /// 61,100,840 parameters at 1000 classes. Names `features.0.weight` ...
    /// `classifier.6.bias`, as torchvision. Default input [3, 224, 224].
    public static func torchvision<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [3, 224, 224], classes: Int = 1000, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "alexnet")
        let features = Sequential<S>([
            Z.conv(inputShape[0], 64, 11, stride: 4, padding: 2, &g) as Conv2d<S>, ReLU<S>(), Z.maxPool(3, 2) as MaxPool2d<S>,
            Z.conv(64, 192, 5, padding: 2, &g) as Conv2d<S>, ReLU<S>(), Z.maxPool(3, 2) as MaxPool2d<S>,
            Z.conv(192, 384, 3, padding: 1, &g) as Conv2d<S>, ReLU<S>(),
            Z.conv(384, 256, 3, padding: 1, &g) as Conv2d<S>, ReLU<S>(),
            Z.conv(256, 256, 3, padding: 1, &g) as Conv2d<S>, ReLU<S>(), Z.maxPool(3, 2) as MaxPool2d<S>,
        ])
        _ = try Z.flatCount(features, inputShape, model: "alexnet")
        return NamedSequential(("features", features), ("avgpool", AdaptiveAvgPool2d<S>(outputSize: 6)),
                               ("flatten", Flatten<S>()), ("classifier", classifier(256 * 36, 4096, classes, &g)))
    }

    /// The paper's network, one-tower form with the two-GPU split kept as
    /// `groups: 2` on conv2, conv4 and conv5: 96-256-384-384-256 convs,
    /// ReLU then local response normalisation (PyTorch's
    /// `LocalResponseNorm(5, alpha: 1e-4, beta: 0.75, k: 2)`, which divides
    /// alpha by the size as Caffe does) after conv1 and conv2, overlapping
    /// 3x3/2 max pools, dropout 0.5 before fc6 and fc7. Input [3, 227, 227]
    /// (the 224 of the paper does not give 55 x 55 without padding).
    /// 60,965,224 parameters at 1000 classes. Names as torchvision's layout:
    /// `features.0.weight`, `features.4.weight`, ..., `classifier.6.weight`.
    public static func original<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [3, 227, 227], classes: Int = 1000, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "alexnet-original")
        let features = Sequential<S>([
            Z.conv(inputShape[0], 96, 11, stride: 4, &g) as Conv2d<S>, ReLU<S>(), lrn(), Z.maxPool(3, 2) as MaxPool2d<S>,
            Z.conv(96, 256, 5, padding: 2, groups: 2, &g) as Conv2d<S>, ReLU<S>(), lrn(), Z.maxPool(3, 2) as MaxPool2d<S>,
            Z.conv(256, 384, 3, padding: 1, &g) as Conv2d<S>, ReLU<S>(),
            Z.conv(384, 384, 3, padding: 1, groups: 2, &g) as Conv2d<S>, ReLU<S>(),
            Z.conv(384, 256, 3, padding: 1, groups: 2, &g) as Conv2d<S>, ReLU<S>(), Z.maxPool(3, 2) as MaxPool2d<S>,
        ])
        let flat = try Z.flatCount(features, inputShape, model: "alexnet-original")
        return NamedSequential(("features", features), ("flatten", Flatten<S>()),
                               ("classifier", classifier(flat, 4096, classes, &g)))
    }

    /// A CIFAR-sized AlexNet (this zoo's own scaling, no canonical
    /// reference): on [3, 32, 32], conv 64@5x5 pad 2, ReLU, LRN, 3x3/2 max
    /// pool (15x15); conv 192@5x5 pad 2, ReLU, LRN, pool (7x7); convs
    /// 384, 256, 256 @3x3 pad 1 with ReLU; pool (3x3); classifier Dropout
    /// 0.5, 2304->1024, ReLU, Dropout, 1024->1024, ReLU, 1024->classes.
    /// LRN as in `original`. 5,871,434 parameters at 10 classes.
    public static func cifar<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [3, 32, 32], classes: Int = 10, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "alexnet-cifar")
        let features = Sequential<S>([
            Z.conv(inputShape[0], 64, 5, padding: 2, &g) as Conv2d<S>, ReLU<S>(), lrn(), Z.maxPool(3, 2) as MaxPool2d<S>,
            Z.conv(64, 192, 5, padding: 2, &g) as Conv2d<S>, ReLU<S>(), lrn(), Z.maxPool(3, 2) as MaxPool2d<S>,
            Z.conv(192, 384, 3, padding: 1, &g) as Conv2d<S>, ReLU<S>(),
            Z.conv(384, 256, 3, padding: 1, &g) as Conv2d<S>, ReLU<S>(),
            Z.conv(256, 256, 3, padding: 1, &g) as Conv2d<S>, ReLU<S>(), Z.maxPool(3, 2) as MaxPool2d<S>,
        ])
        let flat = try Z.flatCount(features, inputShape, model: "alexnet-cifar")
        return NamedSequential(("features", features), ("flatten", Flatten<S>()),
                               ("classifier", classifier(flat, 1024, classes, &g)))
    }

    static func lrn<S: TensorScalar>() -> LocalResponseNorm<S> { LocalResponseNorm<S>(size: 5, alpha: 1e-4, beta: 0.75, k: 2) }

    /// torchvision's classifier layout: Dropout, Linear, ReLU, Dropout, Linear, ReLU, Linear.
    static func classifier<S: TensorScalar, G: RandomNumberGenerator>(_ input: Int, _ width: Int, _ classes: Int,
                                                                      _ g: inout G) -> Sequential<S> {
        Sequential<S>([Z.dropout(0.5, &g) as Dropout<S>, Z.linear(input, width, &g) as Linear<S>, ReLU<S>(),
                       Z.dropout(0.5, &g) as Dropout<S>, Z.linear(width, width, &g) as Linear<S>, ReLU<S>(),
                       Z.linear(width, classes, &g) as Linear<S>])
    }
}
