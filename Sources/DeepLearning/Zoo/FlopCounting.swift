/// Analytic operation counts: how many multiply-accumulates (MACs) one
/// forward pass costs, derived from the layer shapes without running it.
///
/// Convention (the one papers and torchvision's model tables use when they
/// say "FLOPs", e.g. ResNet-18 1.82 G at 224 x 224): one MAC per
/// weight-multiply of a convolution, transposed convolution or linear
/// layer; biases, batch norm, activations, pooling, residual adds and
/// concatenation count zero. `FlopReport.flops` is 2 x MACs for those who
/// count a multiply and an add separately.
public protocol FlopCounting {
    /// The output shape for an input of `shape` (batch axis included),
    /// adding this module's MACs to `counter`. Throws on shapes the module
    /// cannot take.
    func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int]
}

/// Running totals of a count, with a per-module breakdown.
public struct FlopCounter: Sendable {
    public var macs = 0
    /// (dotted-ish label, MACs) of each counted layer, in order.
    public var layers: [(label: String, macs: Int)] = []

    public init() {}

    public mutating func add(_ macs: Int, _ label: String) {
        self.macs += macs
        if macs > 0 { layers.append((label, macs)) }
    }
}

/// The result of `Module.flops(inputShape:)`.
public struct FlopReport: Sendable, CustomStringConvertible {
    /// Multiply-accumulates for one example (inputShape without batch axis).
    public var macs: Int
    /// 2 x macs.
    public var flops: Int { 2 * macs }
    /// The output shape for one example (without the batch axis).
    public var outputShape: [Int]
    /// MACs per conv/linear layer, in forward order.
    public var layers: [(label: String, macs: Int)]

    public var description: String {
        let g = Double(macs) / 1e9
        return "\(macs) MACs (\(g < 0.1 ? "\(Double(macs) / 1e6) M" : "\(g) G")), output \(outputShape)"
    }
}

public enum FlopCountError: Error, Equatable, CustomStringConvertible {
    /// A module in the tree does not conform to `FlopCounting`.
    case unsupported(module: String)
    /// A module cannot take the shape it is given.
    case badShape(module: String, shape: [Int], reason: String)

    public var description: String {
        switch self {
        case .unsupported(let m): return "flop counting: \(m) does not conform to FlopCounting"
        case .badShape(let m, let s, let r): return "flop counting: \(m) cannot take input \(s): \(r)"
        }
    }
}

extension Module {
    /// MACs and output shape of one forward pass on one example of
    /// `inputShape` (no batch axis: [3, 224, 224], or [784] for an MLP),
    /// by analytic counting over the module tree (see `FlopCounting`).
    public func flops(inputShape: [Int]) throws -> FlopReport {
        var counter = FlopCounter()
        let out = try countFlops(of: self, input: [1] + inputShape, into: &counter)
        return FlopReport(macs: counter.macs, outputShape: Array(out.dropFirst()), layers: counter.layers)
    }

    /// The output shape of one example of `inputShape` (no batch axis), without running the module.
    public func outputShape(inputShape: [Int]) throws -> [Int] {
        try flops(inputShape: inputShape).outputShape
    }
}

/// `module`'s output shape for `input`, adding its MACs to `counter`.
public func countFlops<Scalar>(of module: Module<Scalar>, input: [Int], into counter: inout FlopCounter) throws -> [Int] {
    guard let countable = module as? FlopCounting else {
        throw FlopCountError.unsupported(module: String(describing: type(of: module)))
    }
    return try countable.countFlops(input: input, into: &counter)
}

func requireRank(_ shape: [Int], _ rank: Int, _ module: Any) throws {
    guard shape.count == rank, shape.allSatisfy({ $0 > 0 }) else {
        throw FlopCountError.badShape(module: "\(type(of: module))", shape: shape, reason: "expected rank \(rank) with positive extents")
    }
}

// MARK: - layers

extension Linear: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        guard let last = shape.last, last == inputCount else {
            throw FlopCountError.badShape(module: "Linear(\(inputCount), \(outputCount))", shape: shape, reason: "last axis must be \(inputCount)")
        }
        let rows = shape.dropLast().reduce(1, *)
        counter.add(rows * inputCount * outputCount, "Linear(\(inputCount), \(outputCount))")
        return shape.dropLast() + [outputCount]
    }
}

extension Conv2d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        let label = "Conv2d(\(inputChannels), \(outputChannels), \(kernelSize))"
        try requireRank(shape, 4, self)
        guard shape[1] == inputChannels,
              let g = Conv2dGeometry(input: shape, outputChannels: outputChannels, kernel: kernelSize, stride: stride,
                                     padding: padding, dilation: dilation, groups: groups, transposed: false) else {
            throw FlopCountError.badShape(module: label, shape: shape, reason: "channels or spatial size do not fit")
        }
        counter.add(g.n * g.ho * g.wo * g.m * g.cg * g.kh * g.kw, label)
        return g.outputShape
    }
}

extension ConvTranspose2d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        let label = "ConvTranspose2d(\(inputChannels), \(outputChannels), \(kernelSize))"
        try requireRank(shape, 4, self)
        guard shape[1] == inputChannels,
              let g = Conv2dGeometry(input: shape, outputChannels: outputChannels, kernel: kernelSize, stride: stride,
                                     padding: padding, dilation: dilation, groups: groups, outputPadding: outputPadding,
                                     transposed: true) else {
            throw FlopCountError.badShape(module: label, shape: shape, reason: "channels or spatial size do not fit")
        }
        // Every input pixel scatters into kh·kw outputs per output channel of its group.
        counter.add(g.n * g.h * g.w * g.c * g.mg * g.kh * g.kw, label)
        return g.outputShape
    }
}

private func poolShape(_ module: Any, _ shape: [Int], _ kernel: Size2d, _ stride: Size2d, _ padding: Padding2d,
                       _ ceilMode: Bool) throws -> [Int] {
    try requireRank(shape, 4, module)
    guard let g = Pool2dGeometry(input: shape, kernel: kernel, stride: stride, padding: padding, ceilMode: ceilMode) else {
        throw FlopCountError.badShape(module: "\(type(of: module))", shape: shape, reason: "the window does not fit")
    }
    return g.outputShape
}

extension MaxPool2d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try poolShape(self, shape, kernelSize, stride, padding, ceilMode)
    }
}

extension AvgPool2d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try poolShape(self, shape, kernelSize, stride, padding, ceilMode)
    }
}

extension GlobalAvgPool2d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try requireRank(shape, 4, self)
        return [shape[0], shape[1], 1, 1]
    }
}

extension Flatten: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        let s = startAxis < 0 ? startAxis + shape.count : startAxis
        let e = endAxis < 0 ? endAxis + shape.count : endAxis
        guard 0 <= s, s <= e, e < shape.count else {
            throw FlopCountError.badShape(module: "Flatten", shape: shape, reason: "axes \(startAxis)...\(endAxis) out of range")
        }
        return Array(shape[..<s]) + [shape[s...e].reduce(1, *)] + Array(shape[(e + 1)...])
    }
}

/// Shape-preserving modules that cost no MACs under the convention.
protocol ShapePreservingFlopCounting: FlopCounting {}
extension ShapePreservingFlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] { shape }
}

extension ReLU: ShapePreservingFlopCounting {}
extension LeakyReLU: ShapePreservingFlopCounting {}
extension Sigmoid: ShapePreservingFlopCounting {}
extension Tanh: ShapePreservingFlopCounting {}
extension Dropout: ShapePreservingFlopCounting {}
extension Identity: ShapePreservingFlopCounting {}
extension LocalResponseNorm: ShapePreservingFlopCounting {}

extension BatchNorm1d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        guard shape.count >= 2, shape[1] == featureCount else {
            throw FlopCountError.badShape(module: "BatchNorm1d(\(featureCount))", shape: shape, reason: "axis 1 must be \(featureCount)")
        }
        return shape
    }
}

extension BatchNorm2d: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try requireRank(shape, 4, self)
        guard shape[1] == featureCount else {
            throw FlopCountError.badShape(module: "BatchNorm2d(\(featureCount))", shape: shape, reason: "axis 1 must be \(featureCount)")
        }
        return shape
    }
}

// MARK: - containers

extension Sequential: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try layers.reduce(shape) { try DeepLearning.countFlops(of: $1, input: $0, into: &counter) }
    }
}

extension NamedSequential: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        try layers.reduce(shape) { try DeepLearning.countFlops(of: $1.module, input: $0, into: &counter) }
    }
}

extension Residual: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        let main = try DeepLearning.countFlops(of: body, input: shape, into: &counter)
        let skip = try shortcut.map { try DeepLearning.countFlops(of: $0, input: shape, into: &counter) } ?? shape
        guard main == skip else {
            throw FlopCountError.badShape(module: "Residual", shape: shape, reason: "body gives \(main), shortcut \(skip)")
        }
        return try activation.map { try DeepLearning.countFlops(of: $0, input: main, into: &counter) } ?? main
    }
}

extension Concat: FlopCounting {
    public func countFlops(input shape: [Int], into counter: inout FlopCounter) throws -> [Int] {
        var parts = includeInput ? [shape] : []
        for (_, branch) in branches { parts.append(try DeepLearning.countFlops(of: branch, input: shape, into: &counter)) }
        let a = axis < 0 ? axis + shape.count : axis
        var out = parts[0]
        guard a >= 0, a < out.count else {
            throw FlopCountError.badShape(module: "Concat", shape: shape, reason: "axis \(axis) out of range")
        }
        out[a] = 0
        for p in parts {
            var q = p
            guard q.count == out.count else { throw FlopCountError.badShape(module: "Concat", shape: shape, reason: "branch ranks differ: \(parts)") }
            q[a] = 0
            var o = out
            o[a] = 0
            guard q == o else { throw FlopCountError.badShape(module: "Concat", shape: shape, reason: "branches give \(parts)") }
            out[a] += p[a]
        }
        return out
    }
}
