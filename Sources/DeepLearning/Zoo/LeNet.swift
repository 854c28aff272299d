/// LeNet-5 for MNIST as it is usually written in PyTorch (LeCun et al.,
/// 1998, with today's choices): conv1 6@5x5 pad 2 on 1x28x28, ReLU, 2x2 max
/// pool; conv2 16@5x5, ReLU, 2x2 max pool; fc1 400->120, ReLU; fc2 120->84,
/// ReLU; fc3 84->classes. ReLU and max pooling replace the original's
/// scaled tanh and trainable subsampling; the original's sparse C3 table
/// is a full convolution. 61,706 parameters at 10 classes.
///
/// Names: `conv1.weight`, `conv2.bias`, `fc1.weight`, ..., `fc3.bias`.
public enum LeNet5 {
    public static func make<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [1, 28, 28], classes: Int = 10, using g: inout G
    ) throws -> NamedSequential<S> {
        try Z.checkChannels(inputShape, model: "lenet5")
        let features = NamedSequential<S>(
            ("conv1", Z.conv(inputShape[0], 6, 5, padding: 2, &g) as Conv2d<S>), ("relu1", ReLU<S>()),
            ("pool1", Z.maxPool(2, 2) as MaxPool2d<S>),
            ("conv2", Z.conv(6, 16, 5, &g) as Conv2d<S>), ("relu2", ReLU<S>()), ("pool2", Z.maxPool(2, 2) as MaxPool2d<S>))
        let flat = try Z.flatCount(features, inputShape, model: "lenet5")
        var layers = features.layers
        layers += [("flatten", Flatten<S>()), ("fc1", Z.linear(flat, 120, &g) as Linear<S>), ("relu3", ReLU<S>()),
                   ("fc2", Z.linear(120, 84, &g) as Linear<S>), ("relu4", ReLU<S>()), ("fc3", Z.linear(84, classes, &g) as Linear<S>)]
        return NamedSequential(layers)
    }
}
