import DeepLearning
import Testing
@testable import DLExport

/// Small networks lowered and run in the C runtime must give the engine's
/// evaluation-mode output within 1e-4 (∞-norm relative), with non-trivial
/// batch-norm statistics, and the graph must be the folded, fused one.
@Suite struct LoweringParityTests {
    static let tolerance = 1e-4

    static func opCounts(_ lowered: LoweredModel) -> [String: Int] {
        Dictionary(lowered.builder.nodes.map { ($0.op.name, 1) }, uniquingKeysWith: +)
    }

    @Test func mlp() throws {
        let model = try ExportFixtures.zooModel("mlp")
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: [1, 28, 28],
                                                         input: ExportFixtures.syntheticInput([1, 1, 28, 28]))
        #expect(error <= Self.tolerance)
        // flatten, then three dense with the two ReLUs fused.
        #expect(lowered.builder.nodes.map(\.op) == [.flatten, .dense, .dense, .dense])
        #expect(lowered.fusedActivations == 2 && lowered.foldedBatchNorms == 0)
    }

    @Test func lenet5() throws {
        let model = try ExportFixtures.zooModel("lenet5")
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: [1, 28, 28],
                                                         input: ExportFixtures.syntheticInput([1, 1, 28, 28]))
        #expect(error <= Self.tolerance)
        #expect(lowered.builder.nodes.map(\.op) == [.conv2d, .maxPool2d, .conv2d, .maxPool2d, .flatten, .dense, .dense, .dense])
        // Constants keep their state-dict names.
        #expect(lowered.builder.tensors.contains { $0.name == "conv1.weight" && $0.shape == [6, 1, 5, 5] })
    }

    /// Option A (zero-pad shortcuts) and option B (projection) CIFAR ResNets at 32 and at a smaller input.
    @Test(arguments: [("resnet20", 32), ("resnet20", 12), ("resnet20-b", 16)])
    func cifarResNet(name: String, side: Int) throws {
        let shape = [3, side, side]
        let model = try ExportFixtures.zooModel(name, inputShape: shape)
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: shape, input: ExportFixtures.syntheticInput([1] + shape))
        #expect(error <= Self.tolerance, "\(name) at \(side): \(error)")
        let norms = model.namedModules().filter { $0.module is BatchNorm<Float> }.count
        // Every batch norm follows a conv: all folded; every ReLU follows a conv or a residual add: all fused.
        #expect(lowered.foldedBatchNorms == norms)
        let ops = Self.opCounts(lowered)
        #expect(ops["batch_norm"] == nil && ops["relu"] == nil)
        #expect(ops["add"] == 9 && ops["conv2d"] == (name == "resnet20" ? 19 : 21))
        #expect(ops["pad"] == (name == "resnet20" ? 2 : nil))
    }

    @Test(arguments: ["vgg11-bn-cifar", "alexnet-cifar", "nin-cifar"])
    func cifarVariants(name: String) throws {
        let model = try ExportFixtures.zooModel(name)
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: [3, 32, 32],
                                                         input: ExportFixtures.syntheticInput([1, 3, 32, 32]))
        #expect(error <= Self.tolerance, "\(name): \(error)")
        #expect(Self.opCounts(lowered)["batch_norm"] == nil)
        #expect(Self.opCounts(lowered)["relu"] == nil)
    }

    /// Two DenseNet-BC layers and a transition, as the zoo builds them: batch
    /// norms after a concatenation cannot fold and stay `batch_norm` nodes.
    @Test func denseNetBlock() throws {
        var g = SplitMix64(seed: 5)
        func layer(_ input: Int) -> Concat<Float> {
            Concat([(name: nil, module: NamedSequential<Float>(
                ("norm1", BatchNorm2d<Float>(input)), ("relu1", ReLU<Float>()),
                ("conv1", Conv2d<Float>(input, 16, kernelSize: 1, bias: false, using: &g)),
                ("norm2", BatchNorm2d<Float>(16)), ("relu2", ReLU<Float>()),
                ("conv2", Conv2d<Float>(16, 4, kernelSize: 3, padding: 1, bias: false, using: &g))))], includeInput: true)
        }
        let model = NamedSequential<Float>(
            ("conv0", Conv2d<Float>(3, 8, kernelSize: 3, padding: 1, bias: false, using: &g)),
            ("denseblock1", NamedSequential<Float>(("denselayer1", layer(8)), ("denselayer2", layer(12)))),
            ("transition1", NamedSequential<Float>(("norm", BatchNorm2d<Float>(16)), ("relu", ReLU<Float>()),
                                                   ("conv", Conv2d<Float>(16, 8, kernelSize: 1, bias: false, using: &g)),
                                                   ("pool", AvgPool2d<Float>(kernelSize: 2, stride: 2)))),
            ("norm5", BatchNorm2d<Float>(8)), ("relu", ReLU<Float>()),
            ("avgpool", AdaptiveAvgPool2d<Float>(outputSize: 1)), ("flatten", Flatten<Float>()),
            ("classifier", Linear<Float>(8, 5, using: &g)))
        ExportFixtures.randomizeBatchNorms(model)
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: [3, 10, 10],
                                                         input: ExportFixtures.syntheticInput([1, 3, 10, 10]))
        #expect(error <= Self.tolerance)
        let ops = Self.opCounts(lowered)
        // norm2 of each layer follows conv1: folded (2); norm1 x2, the transition's and norm5 follow concats or pools.
        #expect(lowered.foldedBatchNorms == 2 && ops["batch_norm"] == 4)
        #expect(ops["concat"] == 2 && ops["relu"] == 4)
        #expect(lowered.builder.tensors.contains { $0.name == "denseblock1.denselayer2.conv2.weight" })
    }

    /// A GoogLeNet inception block (four branches, one a max pool) into a head.
    @Test func inceptionBlock() throws {
        var g = SplitMix64(seed: 6)
        func basic(_ i: Int, _ o: Int, _ k: Int) -> NamedSequential<Float> {
            NamedSequential<Float>(("conv", Conv2d<Float>(i, o, kernelSize: Size2d(k, k), padding: Padding2d(k / 2, k / 2), bias: false, using: &g)),
                                   ("bn", BatchNorm2d<Float>(o, eps: 0.001)), ("relu", ReLU<Float>()))
        }
        let inception = Concat<Float>(
            ("branch1", basic(6, 4, 1)),
            ("branch2", Sequential<Float>(basic(6, 3, 1), basic(3, 5, 3))),
            ("branch3", Sequential<Float>(basic(6, 2, 1), basic(2, 3, 3))),
            ("branch4", Sequential<Float>(MaxPool2d<Float>(kernelSize: 3, stride: 1, padding: 1, ceilMode: true), basic(6, 2, 1))))
        let model = NamedSequential<Float>(("inception", inception), ("avgpool", AdaptiveAvgPool2d<Float>(outputSize: 1)),
                                           ("flatten", Flatten<Float>()), ("dropout", Dropout<Float>(p: 0.4)),
                                           ("fc", Linear<Float>(14, 3, using: &g)))
        ExportFixtures.randomizeBatchNorms(model)
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: [6, 7, 7], input: ExportFixtures.syntheticInput([1, 6, 7, 7]))
        #expect(error <= Self.tolerance)
        let ops = Self.opCounts(lowered)
        #expect(lowered.foldedBatchNorms == 6 && ops["batch_norm"] == nil && ops["relu"] == nil)
        #expect(ops["concat"] == 1 && ops["max_pool2d"] == 1 && ops["conv2d"] == 6)
    }

    /// Every fusable activation, BatchNorm1d folded into dense, a conv with bias
    /// folded, a standalone batch norm, and activations that cannot fuse
    /// (after a pool; on a tensor used twice).
    @Test func activationsAndFoldingEdgeCases() throws {
        var g = SplitMix64(seed: 8)
        let model = Sequential<Float>(
            Conv2d<Float>(2, 4, kernelSize: 3, padding: 1, using: &g), BatchNorm2d<Float>(4), LeakyReLU<Float>(negativeSlope: 0.2),
            MaxPool2d<Float>(kernelSize: 2), Sigmoid<Float>(),
            Residual<Float>(Sequential<Float>(Conv2d<Float>(4, 4, kernelSize: 1, using: &g), Tanh<Float>())),
            BatchNorm2d<Float>(4), Flatten<Float>(),
            Linear<Float>(36, 6, using: &g), BatchNorm1d<Float>(6), ReLU<Float>(), Linear<Float>(6, 3, using: &g), Softmax<Float>())
        ExportFixtures.randomizeBatchNorms(model)
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: [2, 6, 6], input: ExportFixtures.syntheticInput([1, 2, 6, 6]))
        #expect(error <= Self.tolerance)
        #expect(lowered.builder.nodes.map(\.op) == [.conv2d, .maxPool2d, .sigmoid, .conv2d, .add, .batchNorm, .flatten,
                                                    .dense, .dense, .softmax])
        #expect(lowered.foldedBatchNorms == 2 && lowered.fusedActivations == 3)
    }

    /// Adaptive pooling at sizes that do not divide (windows of unequal size)
    /// and to an output larger than the input: lowered to a dense over planes.
    @Test(arguments: [(5, 3), (7, 7), (1, 6), (9, 4), (8, 4), (6, 1)])
    func adaptiveAveragePooling(input: Int, output: Int) throws {
        var g = SplitMix64(seed: 9)
        let model = Sequential<Float>(Conv2d<Float>(3, 4, kernelSize: 1, using: &g), AdaptiveAvgPool2d<Float>(outputSize: Size2d(output, output)),
                                      Flatten<Float>(), Linear<Float>(4 * output * output, 2, using: &g))
        let shape = [3, input, input]
        let (error, _) = try ExportFixtures.parity(model, inputShape: shape, input: ExportFixtures.syntheticInput([1] + shape))
        #expect(error <= Self.tolerance, "\(input) -> \(output): \(error)")
    }

    @Test func flattenOtherAxes() throws {
        var g = SplitMix64(seed: 10)
        let model = Sequential<Float>(Conv2d<Float>(2, 3, kernelSize: 1, using: &g), Flatten<Float>(startAxis: 2),
                                      Flatten<Float>(), Linear<Float>(3 * 20, 2, using: &g))
        let (error, lowered) = try ExportFixtures.parity(model, inputShape: [2, 4, 5], input: ExportFixtures.syntheticInput([1, 2, 4, 5]))
        #expect(error <= Self.tolerance)
        #expect(lowered.builder.nodes.map(\.op) == [.conv2d, .reshape, .flatten, .dense])
    }

    // MARK: - refusals

    final class Doubler: Module<Float> {
        override func forward(_ input: Tensor<Float>) -> Tensor<Float> { input * 2 }
    }

    @Test func unsupportedLayersAreNamed() throws {
        var g = SplitMix64(seed: 1)
        let model = NamedSequential<Float>(("features", Sequential<Float>(Conv2d<Float>(1, 2, kernelSize: 1, using: &g), ReLU<Float>(),
                                                                         Identity<Float>(), Doubler())))
        #expect(throws: ExportError.unsupportedLayer(path: "features.3", type: "Doubler", reason: nil)) {
            try LoweredModel(model, inputShape: [1, 4, 4])
        }
        #expect(ExportError.unsupportedLayer(path: "features.3", type: "Doubler", reason: nil).description
                == "unsupported layer 'features.3' (Doubler)")
        let logSoftmax = Sequential<Float>(Flatten<Float>(), LogSoftmax<Float>())
        #expect(throws: ExportError.unsupportedLayer(path: "1", type: "LogSoftmax", reason: nil)) {
            try LoweredModel(logSoftmax, inputShape: [3])
        }
        let batchStatistics = Sequential<Float>(Conv2d<Float>(1, 2, kernelSize: 1, using: &g), BatchNorm2d<Float>(2, trackRunningStats: false))
        do {
            _ = try LoweredModel(batchStatistics, inputShape: [1, 3, 3])
            Issue.record("a batch norm without running statistics was lowered")
        } catch let ExportError.unsupportedLayer(path, type, reason) {
            #expect(path == "1" && type == "BatchNorm2d" && reason?.contains("running statistics") == true)
        }
        #expect(throws: ExportError.self) { try LoweredModel(Dropout<Float>(), inputShape: [3]) }  // nothing to export
    }
}
