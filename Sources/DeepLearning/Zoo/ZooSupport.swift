/// Pass as the generator of a zoo builder to get every weight zero (batch
/// norms still 1 and 0) without drawing random numbers: a fast build for
/// counting parameters and MACs, or for a model whose weights are loaded
/// from a checkpoint next. `ModelZoo.make(_:initialize: false)` uses it.
public struct SkipInitialization: RandomNumberGenerator, Sendable {
    public init() {}
    public mutating func next() -> UInt64 { 0 }
}

/// Small builders shared by the zoo's models (internal).
enum Z {
    static func conv<S: TensorScalar, G: RandomNumberGenerator>(
        _ i: Int, _ o: Int, _ k: Int, stride: Int = 1, padding: Int = 0, groups: Int = 1, bias: Bool = true,
        _ g: inout G
    ) -> Conv2d<S> {
        let (stride, padding) = (Size2d(stride, stride), Padding2d(padding, padding))
        if G.self == SkipInitialization.self {
            return Conv2d<S>(weight: .zeros([o, i / groups, k, k]), bias: bias ? .zeros([o]) : nil, stride: stride,
                             padding: padding, groups: groups)
        }
        return Conv2d<S>(i, o, kernelSize: Size2d(k, k), stride: stride, padding: padding, groups: groups, bias: bias, using: &g)
    }

    static func linear<S: TensorScalar, G: RandomNumberGenerator>(_ i: Int, _ o: Int, _ g: inout G) -> Linear<S> {
        if G.self == SkipInitialization.self { return Linear<S>(weight: .zeros([o, i]), bias: .zeros([o])) }
        return Linear<S>(i, o, using: &g)
    }

    static func maxPool<S: TensorScalar>(_ k: Int, _ s: Int, padding: Int = 0, ceil: Bool = false) -> MaxPool2d<S> {
        MaxPool2d<S>(kernelSize: Size2d(k, k), stride: Size2d(s, s), padding: Padding2d(padding, padding), ceilMode: ceil)
    }

    static func dropout<S: TensorScalar, G: RandomNumberGenerator>(_ p: Double, _ g: inout G) -> Dropout<S> {
        Dropout<S>(p: p, seed: g.next())
    }

    /// The number of features `features` gives for one example of `inputShape`, flattened.
    static func flatCount<S>(_ features: Module<S>, _ inputShape: [Int], model: String) throws -> Int {
        do {
            return try features.outputShape(inputShape: inputShape).reduce(1, *)
        } catch {
            throw ZooError.badInputShape(model: model, shape: inputShape, reason: "\(error)")
        }
    }

    static func checkChannels(_ inputShape: [Int], rank: Int = 3, model: String) throws {
        guard inputShape.count == rank, inputShape.allSatisfy({ $0 > 0 }) else {
            throw ZooError.badInputShape(model: model, shape: inputShape, reason: "expected \(rank == 3 ? "[C, H, W]" : "rank \(rank)")")
        }
    }

    /// Re-initialises every `Conv2d` weight (and optionally `Linear` weight)
    /// below `model` with Kaiming-normal (gain √2), as torchvision's ResNet
    /// and DenseNet constructors do; conv biases, if any, become 0.
    static func kaimingNormalConvs<S: TensorScalar, G: RandomNumberGenerator>(
        _ model: Module<S>, mode: Init.FanMode, linears: Bool = false, zeroLinearBias: Bool = false, _ g: inout G
    ) {
        guard G.self != SkipInitialization.self else { return }
        for (_, m) in model.namedModules() {
            if let c = m as? Conv2d<S> {
                c.weight.assign(Init.kaimingNormal(c.weight.shape, mode: mode, nonlinearity: .relu, using: &g))
                c.bias?.assign(.zeros(c.bias!.shape))
            } else if let l = m as? Linear<S> {
                if linears { l.weight.assign(Init.kaimingNormal(l.weight.shape, mode: mode, nonlinearity: .relu, using: &g)) }
                if zeroLinearBias { l.bias?.assign(.zeros(l.bias!.shape)) }
            }
        }
    }
}
