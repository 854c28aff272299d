import Foundation
import Testing
@testable import DeepLearning

/// The model zoo: parameter counts pinned to the published figures (or,
/// for this zoo's own CIFAR adaptations, to the count worked out from the
/// layer list in the model's documentation), MACs against the published
/// figures, forward shapes at batch 2, registry errors, and ResNet-18's
/// state-dict names and shapes against torchvision's.
@Suite struct ZooTests {
    struct Pin: Sendable, CustomTestStringConvertible {
        var name: String
        var parameters: Int
        /// Published MACs at the default input, or nil; checked to `tolerance` (relative).
        var macs: Double? = nil
        var tolerance = 0.01
        var testDescription: String { name }
    }

    static let pins: [Pin] = [
        // 784·256+256 + 256·128+128 + 128·10+10.
        Pin(name: "mlp", parameters: 235_146, macs: 234_752, tolerance: 0),
        // 156 + 2,416 + 48,120 + 10,164 + 850; MACs 117,600 + 240,000 + 58,920.
        Pin(name: "lenet5", parameters: 61_706, macs: 416_520, tolerance: 0),
        // torchvision's model table: 61,100,840, 0.71 GFLOPS (their GFLOPS are MACs).
        Pin(name: "alexnet", parameters: 61_100_840, macs: 0.71e9),
        // The paper's net with its two-GPU groups: 60,965,224 (the "60 million").
        Pin(name: "alexnet-original", parameters: 60_965_224),
        // 4,864 + 307,392 + 663,936 + 884,992 + 590,080 + 2,360,320 + 1,049,600 + 10,250.
        Pin(name: "alexnet-cifar", parameters: 5_871_434),
        Pin(name: "vgg11", parameters: 132_863_336, macs: 7.61e9),
        Pin(name: "vgg11-bn", parameters: 132_868_840, macs: 7.61e9),
        Pin(name: "vgg16", parameters: 138_357_544, macs: 15.47e9),
        Pin(name: "vgg16-bn", parameters: 138_365_992, macs: 15.47e9),
        // kuangliu/pytorch-cifar's VGG (with batch norm), and without the norms' 2·Σchannels.
        Pin(name: "vgg11-bn-cifar", parameters: 9_231_114),
        Pin(name: "vgg11-cifar", parameters: 9_225_610),
        Pin(name: "vgg16-bn-cifar", parameters: 14_728_266, macs: 313.2e6),
        Pin(name: "vgg16-cifar", parameters: 14_719_818),
        Pin(name: "nin-cifar", parameters: 966_986),
        Pin(name: "nin", parameters: 7_439_608),
        // torchvision: 6,624,904 (aux_logits=False), 13,004,888 with the aux heads; 1.50 GFLOPS.
        Pin(name: "googlenet", parameters: 6_624_904, macs: 1.50e9),
        Pin(name: "googlenet-aux", parameters: 13_004_888, macs: 1.50e9),
        // torchvision's minus its stem (124,736) and 1000-class fc, plus conv 192@3x3 + BN (5,568) and a 10-class fc.
        Pin(name: "googlenet-cifar", parameters: 5_490_986),
        // He et al. 2015 Table 6 / akamaster: 0.27M, 0.46M, 0.66M, 0.85M, 1.7M (option A).
        Pin(name: "resnet20", parameters: 269_722, macs: 40.55e6),
        Pin(name: "resnet32", parameters: 464_154, macs: 68.86e6),
        Pin(name: "resnet44", parameters: 658_586),
        Pin(name: "resnet56", parameters: 853_018, macs: 125.49e6),
        Pin(name: "resnet110", parameters: 1_727_962),
        // Option B adds 1x1 convs + BN: 512 + 64 + 2,048 + 128.
        Pin(name: "resnet20-b", parameters: 272_474),
        Pin(name: "resnet56-b", parameters: 855_770),
        // torchvision: 11,689,512, 1.81 GFLOPS; resnet34 21,797,672, 3.66.
        Pin(name: "resnet18", parameters: 11_689_512, macs: 1.82e9),
        Pin(name: "resnet34", parameters: 21_797_672, macs: 3.66e9),
        // kuangliu's ResNet18 for CIFAR: 11,173,962, 0.56 GMACs.
        Pin(name: "resnet18-cifar", parameters: 11_173_962, macs: 0.556e9),
        // torchvision: 7,978,856, 2.83 GFLOPS.
        Pin(name: "densenet121", parameters: 7_978_856, macs: 2.83e9, tolerance: 0.02),
        Pin(name: "densenet-bc-100", parameters: 769_162),
    ]

    @Test func everyModelIsPinned() {
        #expect(Set(Self.pins.map(\.name)) == Set(ModelZoo.names))
        #expect(Set(ModelZoo.names).count == ModelZoo.names.count)
    }

    @Test(arguments: pins) func parameterCountsAndMACs(_ pin: Pin) throws {
        let model = try ModelZoo.make(pin.name, initialize: false)
        #expect(model.parameterCount == pin.parameters, "\(pin.name): \(model.parameterCount) parameters")
        let entry = try ModelZoo.entry(pin.name)
        let report = try model.flops(inputShape: entry.defaultInputShape)
        #expect(report.outputShape == [entry.defaultClasses])
        if let macs = pin.macs {
            let error = abs(Double(report.macs) - macs) / macs
            #expect(error <= pin.tolerance, "\(pin.name): \(report)")
        }
    }

    /// Exact MAC counts worked out by hand.
    @Test func exactMACs() throws {
        // ResNet-20: conv1 432·1024; stage 1: 6 convs of 2,304 at 32², stage 2: 4,608 + 5·9,216 at 16² plus
        // nothing for option A, stage 3: 18,432 + 5·36,864 at 8²; fc 640.
        let resnet20 = 432 * 1024 + 6 * 2304 * 1024 + (4608 + 5 * 9216) * 256 + (18432 + 5 * 36864) * 64 + 640
        #expect(try ModelZoo.make("resnet20").flops(inputShape: [3, 32, 32]).macs == resnet20)
        let resnet18 = try ModelZoo.make("resnet18", initialize: false).flops(inputShape: [3, 224, 224])
        #expect(resnet18.macs == 1_814_073_344)
        #expect(try ModelZoo.make("resnet18", initialize: false).stateDict().map { "\($0.key) \($0.value.shape)" }
                == ModelZoo.make("resnet18").stateDict().map { "\($0.key) \($0.value.shape)" })
        #expect(resnet18.flops == 2 * resnet18.macs)
        #expect(try ModelZoo.make("vgg16", initialize: false).flops(inputShape: [3, 224, 224]).macs == 15_470_264_320)
    }

    /// Forward at batch 2 for every model: the CIFAR and MNIST ones at their
    /// size, the ImageNet ones at a small input their layout allows (adaptive
    /// pooling, or a classifier sized from the input).
    @Test(arguments: ModelZoo.names) func forwardShape(_ name: String) throws {
        let entry = try ModelZoo.entry(name)
        let small: [String: [Int]] = [
            "alexnet": [3, 63, 63], "alexnet-original": [3, 67, 67], "vgg11": [3, 32, 32], "vgg11-bn": [3, 32, 32],
            "vgg16": [3, 32, 32], "vgg16-bn": [3, 32, 32], "nin": [3, 67, 67], "googlenet": [3, 48, 48],
            "googlenet-aux": [3, 48, 48], "resnet18": [3, 48, 48], "resnet34": [3, 48, 48], "densenet121": [3, 48, 48],
        ]
        let shape = small[name] ?? entry.defaultInputShape
        let classes = 7
        // The ImageNet VGGs and AlexNets keep 50M+ weights in their classifiers at any input: built without random init.
        let large = name.hasPrefix("vgg") && !name.hasSuffix("cifar") || name == "alexnet" || name == "alexnet-original"
        let model = try ModelZoo.make(name, classes: classes, inputShape: small[name] == nil ? nil : shape, seed: 3,
                                      initialize: !large)
        var g = SplitMix64(seed: 4)
        let x = Tensor<Float>.randomNormal([2] + shape, using: &g)
        let y = model(x)
        #expect(y.shape == [2, classes])
        #expect(y.scalars.allSatisfy { $0.isFinite })
        #expect(try model.outputShape(inputShape: shape) == [classes])
        model.eval()
        #expect(model(x).shape == [2, classes])
    }

    @Test func googLeNetAuxHeads() throws {
        var g = SplitMix64(seed: 5)
        let model = GoogLeNet<Float>(classes: 5, auxLogits: true, using: &g)
        let x = Tensor<Float>.randomNormal([2, 3, 64, 64], using: &g)
        let out = model.forwardWithAux(x)
        #expect(out.logits.shape == [2, 5] && out.aux1?.shape == [2, 5] && out.aux2?.shape == [2, 5])
        model.eval()
        let evaluated = model.forwardWithAux(x)
        #expect(evaluated.aux1 == nil && evaluated.aux2 == nil)
        let names = model.namedParameters().map(\.name)
        #expect(names.contains("aux1.conv.conv.weight") && names.contains("aux2.fc2.bias"))
        #expect(names.firstIndex(of: "aux2.fc2.bias")! < names.firstIndex(of: "fc.weight")!)
    }

    /// Names, order and shapes of every tensor of torchvision's resnet18
    /// state dict (Zoo/resnet18_state_dict.txt, from tools/golden/make_zoo_keys.py).
    @Test func resnet18StateDictMatchesTorchvision() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("resnet18_state_dict.txt")
        let lines = try String(contentsOf: url, encoding: .utf8).split(separator: "\n").filter { !$0.hasPrefix("#") }
        let expected = lines.map { line -> String in
            let parts = line.split(separator: " ")
            return "\(parts[0]) \(parts[1] == "scalar" ? "" : parts[1])"
        }
        let state = try ModelZoo.make("resnet18", initialize: false).stateDict()
        let actual = state.map { "\($0.key) \($0.value.shape.map(String.init).joined(separator: "x"))" }
        #expect(actual == expected)
    }

    @Test func namesFollowTheReferenceLayouts() throws {
        func names(_ model: String) throws -> [String] { try ModelZoo.make(model, initialize: false).stateDict().keys }
        let resnet20 = try names("resnet20")
        #expect(resnet20.prefix(2) == ["conv1.weight", "bn1.weight"])
        #expect(resnet20.contains("layer3.2.bn2.running_var") && resnet20.last == "linear.bias")
        #expect(try names("resnet20-b").contains("layer2.0.shortcut.0.weight"))
        let densenet = try names("densenet121")
        #expect(densenet.prefix(2) == ["features.conv0.weight", "features.norm0.weight"])
        #expect(densenet.contains("features.denseblock4.denselayer16.conv2.weight"))
        #expect(densenet.contains("features.transition3.conv.weight") && densenet.suffix(2) == ["classifier.weight", "classifier.bias"])
        let googlenet = try names("googlenet")
        #expect(googlenet.contains("inception4e.branch2.1.bn.running_mean") && googlenet.contains("inception5b.branch4.1.conv.weight"))
        #expect(try names("vgg16").suffix(2) == ["classifier.6.weight", "classifier.6.bias"])
        #expect(try names("alexnet").first == "features.0.weight")
        #expect(try names("lenet5") == ["conv1.weight", "conv1.bias", "conv2.weight", "conv2.bias", "fc1.weight", "fc1.bias",
                                        "fc2.weight", "fc2.bias", "fc3.weight", "fc3.bias"])
    }

    @Test func registryErrors() throws {
        #expect(throws: ZooError.unknownModel("resnet19", known: ModelZoo.names)) { try ModelZoo.make("resnet19") }
        let message = "\(ZooError.unknownModel("resnet19", known: ModelZoo.names))"
        #expect(message.contains("resnet19") && message.contains("resnet18") && message.contains("densenet121"))
        #expect(throws: ZooError.self) { try ModelZoo.make("lenet5", inputShape: [1, 4, 4]) }
        #expect(throws: ZooError.self) { try ModelZoo.make("resnet20", inputShape: [3, 32]) }
        #expect(throws: ZooError.self) { try ModelZoo.make("mlp", classes: 0) }
        #expect(throws: ZooError.badConfiguration(model: "resnet21", reason: "CIFAR ResNet depth must be 6n + 2 with n >= 1")) {
            var g = SplitMix64(seed: 0)
            _ = try ResNetCIFAR.make(depth: 21, using: &g) as NamedSequential<Float>
        }
        // Other sizes and channel counts resize what depends on them.
        #expect(try ModelZoo.make("mlp", classes: 10, inputShape: [3, 32, 32]).parameterCount == 3072 * 256 + 256 + 32_896 + 1290)
        #expect(try ModelZoo.make("lenet5", inputShape: [3, 32, 32]).outputShape(inputShape: [3, 32, 32]) == [10])
        // A module the counter does not know is reported by type.
        final class Custom: Module<Float> { override func forward(_ x: Tensor<Float>) -> Tensor<Float> { x } }
        #expect(throws: FlopCountError.unsupported(module: "Custom")) { try Sequential<Float>(Custom()).flops(inputShape: [1]) }
    }

    /// The generic builder gives Double models with the same structure; a
    /// small CIFAR ResNet's parameter gradients check in Float64.
    @Test func doubleVariant() throws {
        let model = try ModelZoo.make("resnet20", as: Double.self)
        #expect(model.parameterCount == 269_722)
        let lenet = try ModelZoo.make("lenet5", inputShape: [1, 12, 12], as: Double.self)
        let x = GradientCheck.input([2, 1, 12, 12], seed: 3)
        #expect(lenet(x).shape == [2, 10])
        #expect(GradientCheck.check([x]) { lenet($0[0]) }.maxError < GradientCheck.tolerance)
    }
}
