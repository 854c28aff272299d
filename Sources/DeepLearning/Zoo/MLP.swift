/// A multilayer perceptron for flattened images: Flatten, then
/// Linear-ReLU per hidden size, then Linear to the classes.
/// As `nn.Sequential(nn.Flatten(), nn.Linear(784, h1), nn.ReLU(), ...)`,
/// so names are `1.weight`, `3.weight`, ... (index 0 is the Flatten).
/// No hidden sizes gives multinomial logistic regression.
public enum MLP {
    /// Default: MNIST [1, 28, 28] -> 256 -> 128 -> 10 (235,146 parameters).
    public static func make<S: TensorScalar, G: RandomNumberGenerator>(
        inputShape: [Int] = [1, 28, 28], hidden: [Int] = [256, 128], classes: Int = 10, using g: inout G
    ) throws -> Sequential<S> {
        guard !inputShape.isEmpty, inputShape.allSatisfy({ $0 > 0 }), hidden.allSatisfy({ $0 > 0 }), classes > 0 else {
            throw ZooError.badInputShape(model: "mlp", shape: inputShape, reason: "sizes must be positive")
        }
        var layers: [Module<S>] = [Flatten<S>()]
        var width = inputShape.reduce(1, *)
        for h in hidden {
            layers += [Z.linear(width, h, &g) as Linear<S>, ReLU<S>()]
            width = h
        }
        layers.append(Z.linear(width, classes, &g) as Linear<S>)
        return Sequential(layers)
    }
}
