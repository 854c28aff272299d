import DeepLearning
import DLImage
import DLRuntime
import Foundation
import Testing
import ToolTestSupport
@testable import DLExport

/// Models, checkpoints, real inputs and the dlexport binary for the exporter's tests.
enum ExportFixtures {
    /// ../shared next to the package root (data sets; never committed, absent on a fresh clone).
    static let shared = Repository.shared
    static let mnistDirectory = shared + "/datasets/mnist"
    static let cifarTestDirectory = shared + "/datasets/cifar10/test"
    static var hasSharedData: Bool { FileIO.exists(mnistDirectory + "/t10k-images-idx3-ubyte.gz") && FileIO.isDirectory(cifarTestDirectory) }

    // MARK: - models

    /// Gives every batch norm below `model` non-trivial statistics and affine
    /// parameters (running mean ±0.5, variance 0.5...2, γ 0.5...1.5, β ±0.3),
    /// as a trained model has, so that folding is really exercised.
    static func randomizeBatchNorms(_ model: Module<Float>, seed: UInt64 = 11) {
        var g = SplitMix64(seed: seed)
        for (_, module) in model.namedModules() {
            guard let norm = module as? BatchNorm<Float> else { continue }
            let c = [norm.featureCount]
            norm.runningMean?.value = .randomUniform(c, low: -0.5, high: 0.5, using: &g)
            norm.runningVar?.value = .randomUniform(c, low: 0.5, high: 2, using: &g)
            norm.weight?.assign(.randomUniform(c, low: 0.5, high: 1.5, using: &g))
            norm.bias?.assign(.randomUniform(c, low: -0.3, high: 0.3, using: &g))
        }
    }

    /// A zoo model with seeded weights and random batch-norm statistics.
    /// Models of over 20 M parameters get `tiledWeights` instead of the
    /// zoo's initialisation, which draws one random number per weight and
    /// takes half a minute for VGG in a debug build.
    static func zooModel(_ name: String, inputShape: [Int]? = nil, classes: Int? = nil, seed: UInt64 = 1) throws -> Module<Float> {
        var model = try ModelZoo.make(name, classes: classes, inputShape: inputShape, initialize: false)
        if model.parameterCount > 20_000_000 {
            tiledWeights(model, seed: seed)
        } else {
            model = try ModelZoo.make(name, classes: classes, inputShape: inputShape, seed: seed)
        }
        randomizeBatchNorms(model, seed: seed + 10)
        return model
    }

    /// Every weight and bias from a block of 4093 seeded uniform values in
    /// ±1/√fan_in (PyTorch's default bound; biases ±0.05), repeated, from a
    /// different offset per parameter: fast (one copy per block), and random
    /// enough for parity, which is about arithmetic, not accuracy.
    static func tiledWeights(_ model: Module<Float>, seed: UInt64) {
        var g = SplitMix64(seed: seed)
        let block = (0..<4093).map { _ in Float.random(in: -1...1, using: &g) }
        for (_, parameter) in model.namedParameters() {
            let count = parameter.count
            let bound = parameter.shape.count >= 2 ? 1 / Float(count / parameter.shape[0]).squareRoot() : 0.05
            let scaled = block.map { $0 * bound }
            let offset = Int(g.next() % 4093)
            var values = Array(scaled[offset...])
            values.reserveCapacity(count)
            while values.count < count { values.append(contentsOf: scaled.prefix(count - values.count)) }
            parameter.assign(Tensor(shape: parameter.shape, scalars: Array(values.prefix(count))))
        }
    }

    /// A smooth, deterministic image-like input in about [-2, 2] (no ../shared needed).
    static func syntheticInput(_ shape: [Int], seed: UInt64 = 3) -> [Float] {
        var g = SplitMix64(seed: seed)
        let count = shape.reduce(1, *)
        let phase = Float(g.next() % 1000) / 100
        return (0..<count).map { i in 2 * sin(Float(i) * 0.037 + phase) * cos(Float(i / 7) * 0.011) }
    }

    /// Lowers `model` for `inputShape`, runs it in the C runtime and in the
    /// engine on `input`, and returns the relative difference and the graph.
    static func parity(_ model: Module<Float>, inputShape: [Int], input: [Float]) throws -> (error: Double, lowered: LoweredModel) {
        let lowered = try LoweredModel(model, inputShape: inputShape)
        let got = try Parity.runtimeOutput(of: try lowered.builder.serialize(), input: input)
        let want = Parity.engineOutput(of: model, input: input, shape: [1] + inputShape)
        return (Parity.relativeError(got, want), lowered)
    }

    // MARK: - checkpoints

    static let mnistContract = InputContract(dataset: "mnist", channels: 1, transform: .mnist, resize: .stretch)
    static let cifarContract = InputContract(dataset: "cifar10", channels: 3, transform: .cifar10Test,
                                             resize: .centerCrop(shorterSide: 32))

    /// A checkpoint of `model` as dltrain writes one: architecture with classes,
    /// input shape and class names, two epochs of metrics, a recipe, the
    /// input contract and one sample.
    static func checkpoint(of model: Module<Float>, architecture name: String, inputShape: [Int], classes: Int,
                           contract: InputContract, sample: [UInt8]? = nil) -> Checkpoint {
        let pixels = sample ?? (0..<inputShape.reduce(1, *)).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ $0 / 5) }
        let names = (0..<classes).map { "class \($0)" }
        return Checkpoint.capture(
            architecture: ArchitectureDescription(name: name, config: [
                "classes": .int(classes), "input_shape": .ints(inputShape), "class_names": .strings(names),
            ]),
            model: model, epoch: 2, step: 20,
            metrics: [EpochMetrics(epoch: 0, trainLoss: 1.2, trainAccuracy: 0.6, testLoss: 1.0, testAccuracy: 0.7,
                                   learningRate: 0.01, seconds: 3),
                      EpochMetrics(epoch: 1, trainLoss: 0.8, trainAccuracy: 0.75, testLoss: 0.7, testAccuracy: 0.8125,
                                   learningRate: 0.005, seconds: 3)],
            recipe: "dltrain --model \(name) --data /nowhere\nmodel=\(name)\ndata=/nowhere",
            input: contract, samples: [InputSample(shape: inputShape, pixels: pixels, label: 1, source: "test sample 0")])
    }

    /// The LeNet-5 MNIST checkpoint most export tests use.
    static func lenetCheckpoint() throws -> Checkpoint {
        let model = try zooModel("lenet5")
        return checkpoint(of: model, architecture: "lenet5", inputShape: [1, 28, 28], classes: 10, contract: mnistContract)
    }

    // MARK: - real inputs (../shared)

    /// MNIST test images (8-bit, 1x28x28) and labels, or nil without ../shared.
    static func mnistTestImages(_ count: Int) -> [(pixels: [UInt8], label: Int)]? {
        guard hasSharedData, let test = try? MNIST.load(directory: mnistDirectory, split: .test) else { return nil }
        return (0..<count).map { (Array(test.imageBytes($0 * 97)), test.labels[$0 * 97]) }
    }

    /// CIFAR-10 test JPEGs (one per class, in class order) decoded as images, or nil without ../shared.
    static func cifarTestImages(_ count: Int) -> [Image]? {
        guard hasSharedData else { return nil }
        return (0..<count).compactMap { i in
            let name = CIFAR10.classes[i % 10]
            return try? Image(contentsOf: "\(cifarTestDirectory)/\(name)/\(String(format: "%04d", i / 10)).jpg")
        }
    }

    // MARK: - files and the binary

    static func makeTempDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "dlexport-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func list(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// Runs the built dlexport; returns the exit status, stdout and stderr.
    static func run(_ arguments: [String], in directory: String) throws -> Tool.Output {
        try Tool.run("dlexport", arguments, in: directory)
    }
}
