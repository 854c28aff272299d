/// Errors from building zoo models.
public enum ZooError: Error, Equatable, CustomStringConvertible {
    case unknownModel(String, known: [String])
    case badInputShape(model: String, shape: [Int], reason: String)
    case badConfiguration(model: String, reason: String)

    public var description: String {
        switch self {
        case .unknownModel(let name, let known):
            return "unknown model \"\(name)\"; known models: \(known.joined(separator: ", "))"
        case .badInputShape(let model, let shape, let reason):
            return "\(model) cannot take input shape \(shape): \(reason)"
        case .badConfiguration(let model, let reason):
            return "\(model): \(reason)"
        }
    }
}

/// The model zoo by name: PyTorch-faithful architectures whose state-dict
/// names follow torchvision (or the common CIFAR port where torchvision has
/// none), so weights line up by name.
///
/// ```swift
/// let model = try ModelZoo.make("resnet18", classes: 1000, inputShape: nil)
/// model.parameterCount                                    // 11_689_512
/// try model.flops(inputShape: [3, 224, 224]).macs         // 1_814_073_344 (see FlopCounting)
/// ```
///
/// `classes` replaces the final layer's width; `inputShape` ([C, H, W], no
/// batch axis; nil for the model's default) sizes the layers that depend on
/// it (the flattened features of LeNet, the CIFAR VGG and AlexNet, the MLP's
/// input) and is checked against the architecture.
public enum ModelZoo {
    public struct Entry: Sendable {
        public let name: String
        /// [C, H, W] (or what the model takes) without the batch axis.
        public let defaultInputShape: [Int]
        public let defaultClasses: Int
        public let summary: String
    }

    /// Every model, in a stable order.
    public static let entries: [Entry] = [
        Entry(name: "mlp", defaultInputShape: [1, 28, 28], defaultClasses: 10, summary: "MLP 784-256-128-10 (MNIST)"),
        Entry(name: "lenet5", defaultInputShape: [1, 28, 28], defaultClasses: 10, summary: "LeNet-5, ReLU + max pool (MNIST)"),
        Entry(name: "alexnet", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "AlexNet, torchvision layout"),
        Entry(name: "alexnet-original", defaultInputShape: [3, 227, 227], defaultClasses: 1000,
              summary: "AlexNet as in the paper: LRN, grouped convs, dropout"),
        Entry(name: "alexnet-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR-sized AlexNet with LRN and dropout"),
        Entry(name: "vgg11", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "VGG-11, torchvision"),
        Entry(name: "vgg11-bn", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "VGG-11 with batch norm, torchvision"),
        Entry(name: "vgg16", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "VGG-16, torchvision"),
        Entry(name: "vgg16-bn", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "VGG-16 with batch norm, torchvision"),
        Entry(name: "vgg11-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR VGG-11 without batch norm"),
        Entry(name: "vgg11-bn-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR VGG-11 (kuangliu)"),
        Entry(name: "vgg16-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR VGG-16 without batch norm"),
        Entry(name: "vgg16-bn-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR VGG-16 (kuangliu)"),
        Entry(name: "nin", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "Network in Network, ImageNet-sized (d2l)"),
        Entry(name: "nin-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "Network in Network, the paper's CIFAR-10 model"),
        Entry(name: "googlenet", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "GoogLeNet, torchvision, no aux heads"),
        Entry(name: "googlenet-aux", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "GoogLeNet, torchvision, aux heads"),
        Entry(name: "googlenet-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "GoogLeNet with a CIFAR stem"),
        Entry(name: "resnet20", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR ResNet-20, option A shortcuts"),
        Entry(name: "resnet32", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR ResNet-32, option A shortcuts"),
        Entry(name: "resnet44", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR ResNet-44, option A shortcuts"),
        Entry(name: "resnet56", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR ResNet-56, option A shortcuts"),
        Entry(name: "resnet110", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR ResNet-110, option A shortcuts"),
        Entry(name: "resnet20-b", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR ResNet-20, option B (1x1 conv) shortcuts"),
        Entry(name: "resnet56-b", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "CIFAR ResNet-56, option B (1x1 conv) shortcuts"),
        Entry(name: "resnet18", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "ResNet-18, torchvision"),
        Entry(name: "resnet34", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "ResNet-34, torchvision"),
        Entry(name: "resnet18-cifar", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "ResNet-18 with a 3x3 stem, no max pool"),
        Entry(name: "densenet121", defaultInputShape: [3, 224, 224], defaultClasses: 1000, summary: "DenseNet-121, torchvision"),
        Entry(name: "densenet-bc-100", defaultInputShape: [3, 32, 32], defaultClasses: 10, summary: "DenseNet-BC L=100 k=12 (CIFAR)"),
    ]

    /// The known model names, in `entries` order.
    public static var names: [String] { entries.map(\.name) }

    public static func entry(_ name: String) throws -> Entry {
        guard let e = entries.first(where: { $0.name == name }) else { throw ZooError.unknownModel(name, known: names) }
        return e
    }

    /// A Float model, weights from a generator seeded with `seed` (the
    /// architecture's initialisation), or all zero without `initialize`
    /// (fast: for counting, or before loading a checkpoint).
    public static func make(_ name: String, classes: Int? = nil, inputShape: [Int]? = nil, seed: UInt64 = 0,
                            initialize: Bool = true) throws -> Module<Float> {
        try make(name, classes: classes, inputShape: inputShape, as: Float.self, seed: seed, initialize: initialize)
    }

    /// The same in any scalar type (Double for gradient checks).
    public static func make<S: TensorScalar>(_ name: String, classes: Int? = nil, inputShape: [Int]? = nil, as: S.Type,
                                             seed: UInt64 = 0, initialize: Bool = true) throws -> Module<S> {
        if initialize {
            var g = SplitMix64(seed: seed)
            return try build(name, classes: classes, inputShape: inputShape, &g)
        }
        var g = SkipInitialization()
        return try build(name, classes: classes, inputShape: inputShape, &g)
    }

    static func build<S: TensorScalar, G: RandomNumberGenerator>(_ name: String, classes: Int?, inputShape: [Int]?,
                                                                 _ g: inout G) throws -> Module<S> {
        let e = try entry(name)
        let classes = classes ?? e.defaultClasses
        let shape = inputShape ?? e.defaultInputShape
        guard classes > 0 else { throw ZooError.badConfiguration(model: name, reason: "classes must be positive, got \(classes)") }
        switch name {
        case "mlp": return try MLP.make(inputShape: shape, classes: classes, using: &g) as Sequential<S>
        case "lenet5": return try LeNet5.make(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "alexnet": return try AlexNet.torchvision(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "alexnet-original": return try AlexNet.original(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "alexnet-cifar": return try AlexNet.cifar(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "vgg11", "vgg11-bn", "vgg16", "vgg16-bn":
            let depth: VGG.Depth = name.hasPrefix("vgg11") ? .vgg11 : .vgg16
            return try VGG.imageNet(depth, batchNorm: name.hasSuffix("-bn"), inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "vgg11-cifar", "vgg11-bn-cifar", "vgg16-cifar", "vgg16-bn-cifar":
            let depth: VGG.Depth = name.hasPrefix("vgg11") ? .vgg11 : .vgg16
            return try VGG.cifar(depth, batchNorm: name.contains("-bn"), inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "nin": return try NiN.imageNet(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "nin-cifar": return try NiN.cifar(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "googlenet", "googlenet-aux", "googlenet-cifar":
            try Z.checkChannels(shape, model: name)
            let model: GoogLeNet<S> = name == "googlenet-cifar"
                ? .cifar(classes: classes, inputChannels: shape[0], using: &g)
                : GoogLeNet(classes: classes, inputChannels: shape[0], auxLogits: name == "googlenet-aux", using: &g)
            _ = try Z.flatCount(model, shape, model: name)
            return model
        case "resnet20", "resnet32", "resnet44", "resnet56", "resnet110", "resnet20-b", "resnet56-b":
            let depth = Int(name.dropFirst("resnet".count).prefix { $0.isNumber })!
            return try ResNetCIFAR.make(depth: depth, shortcut: name.hasSuffix("-b") ? .projection : .zeroPad,
                                        inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "resnet18", "resnet34", "resnet18-cifar":
            let depth: ResNet.Depth = name.hasPrefix("resnet18") ? .resnet18 : .resnet34
            return try ResNet.make(depth, cifarStem: name.hasSuffix("-cifar"), inputShape: shape, classes: classes,
                                   using: &g) as NamedSequential<S>
        case "densenet121": return try DenseNet.densenet121(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        case "densenet-bc-100": return try DenseNet.cifarBC(inputShape: shape, classes: classes, using: &g) as NamedSequential<S>
        default:
            preconditionFailure("ModelZoo: entry \(name) has no builder")
        }
    }
}
