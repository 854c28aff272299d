/// GoogLeNet / Inception v1 (Szegedy et al., 2014) in torchvision's layout.
///
/// `BasicConv2d` is conv (no bias) + BatchNorm2d (eps 0.001) + ReLU, named
/// `conv`, `bn`, as torchvision (which added batch norm to the paper's net).
/// Inception blocks are `Concat` modules with branches `branch1` (1x1),
/// `branch2` (1x1 reduce, 3x3), `branch3` (1x1 reduce, 3x3 — torchvision's
/// 3x3 where the paper has 5x5, kept for state-dict compatibility) and
/// `branch4` (3x3/1 max pool, 1x1 projection).
///
/// Auxiliary heads (`aux1` after inception4a, `aux2` after inception4d) are
/// off by default; when built, `forwardWithAux` returns their logits in
/// training mode, as torchvision does, and `forward` returns the main
/// logits only. Flop counts leave the auxiliary heads out (inference cost).
public final class GoogLeNet<Scalar: TensorScalar>: Module<Scalar> {
    /// conv1 ... inception5b, in forward order.
    public let trunk: [(name: String, module: Module<Scalar>)]
    public let aux1: Module<Scalar>?
    public let aux2: Module<Scalar>?
    /// avgpool, flatten, dropout, fc.
    public let head: [(name: String, module: Module<Scalar>)]

    /// torchvision's `googlenet(aux_logits:, init_weights: False)`: 6,624,904
    /// parameters at 1000 classes without auxiliary heads, 13,004,888 with.
    /// Default input [3, 224, 224]; any input of at least about 32 x 32 works
    /// (adaptive pooling at the end).
    public convenience init<G: RandomNumberGenerator>(classes: Int = 1000, inputChannels: Int = 3, auxLogits: Bool = false,
                                                      dropout: Double = 0.2, using g: inout G) {
        typealias S = Scalar
        let stem: [(name: String, module: Module<S>)] = [
            ("conv1", GoogLeNet.basicConv(inputChannels, 64, 7, stride: 2, padding: 3, &g)),
            ("maxpool1", Z.maxPool(3, 2, ceil: true) as MaxPool2d<S>),
            ("conv2", GoogLeNet.basicConv(64, 64, 1, &g)),
            ("conv3", GoogLeNet.basicConv(64, 192, 3, padding: 1, &g)),
            ("maxpool2", Z.maxPool(3, 2, ceil: true) as MaxPool2d<S>),
        ]
        self.init(stem: stem, classes: classes, auxLogits: auxLogits, dropout: dropout,
                  pools: (Z.maxPool(3, 2, ceil: true), Z.maxPool(2, 2, ceil: true)), using: &g)
    }

    /// A CIFAR-sized GoogLeNet (after kuangliu/pytorch-cifar): the stem is
    /// one BasicConv2d 192@3x3 pad 1 named `conv1` at 32 x 32, the
    /// torchvision inception stack follows with 3x3/2 pad 1 max pools
    /// (32 -> 16 -> 8), then global average pool and fc: 5,490,986 parameters
    /// at 10 classes. This zoo's own
    /// layout (kuangliu's names and 5x5-as-two-3x3 branch differ).
    public static func cifar<G: RandomNumberGenerator>(classes: Int = 10, inputChannels: Int = 3,
                                                       using g: inout G) -> GoogLeNet {
        let stem: [(name: String, module: Module<Scalar>)] = [("conv1", basicConv(inputChannels, 192, 3, padding: 1, &g))]
        return GoogLeNet(stem: stem, classes: classes, auxLogits: false, dropout: 0.2,
                         pools: (Z.maxPool(3, 2, padding: 1), Z.maxPool(3, 2, padding: 1)), using: &g)
    }

    init<G: RandomNumberGenerator>(stem: [(name: String, module: Module<Scalar>)], classes: Int, auxLogits: Bool,
                                   dropout: Double, pools: (MaxPool2d<Scalar>, MaxPool2d<Scalar>), using g: inout G) {
        typealias S = Scalar
        func inception(_ i: Int, _ c1: Int, _ c3r: Int, _ c3: Int, _ c5r: Int, _ c5: Int, _ pp: Int) -> Module<S> {
            GoogLeNet.inception(i, c1, c3r, c3, c5r, c5, pp, &g)
        }
        var trunk = stem
        trunk += [
            ("inception3a", inception(192, 64, 96, 128, 16, 32, 32)),
            ("inception3b", inception(256, 128, 128, 192, 32, 96, 64)),
            ("maxpool3", pools.0),
            ("inception4a", inception(480, 192, 96, 208, 16, 48, 64)),
            ("inception4b", inception(512, 160, 112, 224, 24, 64, 64)),
            ("inception4c", inception(512, 128, 128, 256, 24, 64, 64)),
            ("inception4d", inception(512, 112, 144, 288, 32, 64, 64)),
            ("inception4e", inception(528, 256, 160, 320, 32, 128, 128)),
            ("maxpool4", pools.1),
            ("inception5a", inception(832, 256, 160, 320, 32, 128, 128)),
            ("inception5b", inception(832, 384, 192, 384, 48, 128, 128)),
        ]
        self.trunk = trunk
        aux1 = auxLogits ? GoogLeNet.auxHead(512, classes, &g) : nil
        aux2 = auxLogits ? GoogLeNet.auxHead(528, classes, &g) : nil
        head = [("avgpool", AdaptiveAvgPool2d<S>(outputSize: 1)), ("flatten", Flatten<S>()),
                ("dropout", Z.dropout(dropout, &g) as Dropout<S>), ("fc", Z.linear(1024, classes, &g) as Linear<S>)]
        super.init()
    }

    public override var children: [(name: String, module: Module<Scalar>)] {
        var result = trunk
        if let aux1 { result.append(("aux1", aux1)) }
        if let aux2 { result.append(("aux2", aux2)) }
        return result + head
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        forwardWithAux(input).logits
    }

    /// The main logits and, in training mode with auxiliary heads, theirs.
    public func forwardWithAux(_ input: Tensor<Scalar>) -> (logits: Tensor<Scalar>, aux1: Tensor<Scalar>?, aux2: Tensor<Scalar>?) {
        var x = input
        var (a1, a2): (Tensor<Scalar>?, Tensor<Scalar>?) = (nil, nil)
        for (name, module) in trunk {
            x = module(x)
            if isTraining, name == "inception4a", let aux1 { a1 = aux1(x) }
            if isTraining, name == "inception4d", let aux2 { a2 = aux2(x) }
        }
        for (_, module) in head { x = module(x) }
        return (x, a1, a2)
    }

    /// conv (no bias), BatchNorm2d(eps 0.001), ReLU: names `conv`, `bn`.
    static func basicConv<G: RandomNumberGenerator>(_ i: Int, _ o: Int, _ k: Int, stride: Int = 1, padding: Int = 0,
                                                    _ g: inout G) -> NamedSequential<Scalar> {
        NamedSequential(("conv", Z.conv(i, o, k, stride: stride, padding: padding, bias: false, &g) as Conv2d<Scalar>),
                        ("bn", BatchNorm2d<Scalar>(o, eps: 0.001)), ("relu", ReLU<Scalar>()))
    }

    static func inception<G: RandomNumberGenerator>(_ i: Int, _ c1: Int, _ c3r: Int, _ c3: Int, _ c5r: Int, _ c5: Int,
                                                    _ pp: Int, _ g: inout G) -> Concat<Scalar> {
        Concat(("branch1", basicConv(i, c1, 1, &g)),
               ("branch2", Sequential(basicConv(i, c3r, 1, &g), basicConv(c3r, c3, 3, padding: 1, &g))),
               ("branch3", Sequential(basicConv(i, c5r, 1, &g), basicConv(c5r, c5, 3, padding: 1, &g))),
               ("branch4", Sequential(Z.maxPool(3, 1, padding: 1, ceil: true) as MaxPool2d<Scalar>, basicConv(i, pp, 1, &g))))
    }

    /// torchvision's `InceptionAux`: 4x4 adaptive average pool, BasicConv2d
    /// 128@1x1 (`conv`), fc1 2048->1024, ReLU, dropout 0.7, fc2 1024->classes.
    static func auxHead<G: RandomNumberGenerator>(_ i: Int, _ classes: Int, _ g: inout G) -> NamedSequential<Scalar> {
        NamedSequential(("avgpool", AdaptiveAvgPool2d<Scalar>(outputSize: 4)), ("conv", basicConv(i, 128, 1, &g)),
                        ("flatten", Flatten<Scalar>()), ("fc1", Z.linear(2048, 1024, &g) as Linear<Scalar>), ("relu", ReLU<Scalar>()),
                        ("dropout", Z.dropout(0.7, &g) as Dropout<Scalar>), ("fc2", Z.linear(1024, classes, &g) as Linear<Scalar>))
    }
}

extension GoogLeNet: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try (trunk + head).reduce(shape) { try DeepLearning.countFlops(of: $1.module, input: $0, into: &counter) }
    }
}
