import Testing
@testable import DeepLearning

/// A small model with nesting, buffers and a shared module, as a user would write it.
final class TestNet: Module<Double> {
    let features: Sequential<Double>
    let norm = BatchNorm1d<Double>(4)
    var head: Linear<Double>
    let dropout = Dropout<Double>(p: 0.5, seed: 1)

    init(seed: UInt64 = 1, classes: Int = 3) {
        var g = SplitMix64(seed: seed)
        features = Sequential(Linear(3, 4, using: &g), ReLU(), Sequential(Linear(4, 4, using: &g), Tanh()))
        head = Linear(4, classes, using: &g)
        super.init()
    }

    override var children: [(name: String, module: Module<Double>)] {
        [("features", features), ("norm", norm), ("dropout", dropout), ("head", head)]
    }

    override func forward(_ input: Tensor<Double>) -> Tensor<Double> {
        head(dropout(norm(features(input))))
    }
}

@Suite struct ModuleTests {
    static let input = GradientCheck.input([5, 3], seed: 9)

    @Test func dottedNamesInModuleOrder() {
        let net = TestNet()
        #expect(net.namedParameters().map(\.name) == [
            "features.0.weight", "features.0.bias", "features.2.0.weight", "features.2.0.bias",
            "norm.weight", "norm.bias", "head.weight", "head.bias",
        ])
        #expect(net.namedBuffers().map(\.name) == ["norm.running_mean", "norm.running_var", "norm.num_batches_tracked"])
        #expect(net.stateDict().keys == [
            "features.0.weight", "features.0.bias", "features.2.0.weight", "features.2.0.bias",
            "norm.weight", "norm.bias", "norm.running_mean", "norm.running_var", "norm.num_batches_tracked",
            "head.weight", "head.bias",
        ])
        #expect(net.parameterCount == 12 + 4 + 16 + 4 + 4 + 4 + 12 + 3)
    }

    @Test func sharedModulesAndParametersAreListedOnce() {
        let shared = Linear<Double>(2, 2)
        let model = Sequential<Double>(shared, ReLU(), shared)
        #expect(model.namedParameters().map(\.name) == ["0.weight", "0.bias"])
        #expect(model.stateDict().keys == ["0.weight", "0.bias"])
    }

    @Test func stateDictRoundTrip() throws {
        let a = TestNet(seed: 1), b = TestNet(seed: 2)
        a.train()
        _ = a(Self.input) // moves the running statistics
        a.eval()
        b.eval()
        #expect(a(Self.input) != b(Self.input))
        let before = b.head.weight
        let report = try b.load(a.stateDict())
        #expect(report.isExact && report.loadedKeys.count == 11)
        #expect(b.stateDict() == a.stateDict())
        #expect(b(Self.input) == a(Self.input))
        #expect(b.head.weight === before) // identities kept: an optimizer built earlier still sees them
        // A state dict is a copy.
        var state = a.stateDict()
        state["head.bias"] = .zeros([3])
        #expect(a.head.bias!.value != Tensor<Double>.zeros([3]))
    }

    @Test func strictLoadReportsAndLoadsNothing() {
        let a = TestNet(seed: 1), b = TestNet(seed: 2)
        let original = b.stateDict()
        var state = a.stateDict()
        state["norm.running_var"] = nil
        state["extra.weight"] = .zeros([1])
        state["head.weight"] = .zeros([4, 4])
        #expect {
            try b.load(state)
        } throws: { error in
            guard case StateDictError.mismatch(let report) = error else { return false }
            return report.missingKeys == ["norm.running_var"] && report.unexpectedKeys == ["extra.weight"]
                && report.shapeMismatches == [.init(name: "head.weight", expected: [3, 4], found: [4, 4])]
        }
        #expect(b.stateDict() == original)
    }

    @Test func nonStrictLoadSkipsWhatDoesNotFit() throws {
        // A backbone loaded under a head for another number of classes.
        let pretrained = TestNet(seed: 1, classes: 10), fresh = TestNet(seed: 2, classes: 3)
        let report = try fresh.load(pretrained.stateDict(), strict: false)
        #expect(report.missingKeys.isEmpty && report.unexpectedKeys.isEmpty)
        #expect(report.shapeMismatches.map(\.name) == ["head.weight", "head.bias"])
        #expect(report.loadedKeys.count == 9)
        #expect(fresh.features[0].stateDict() == pretrained.features[0].stateDict())
        #expect(fresh.head.weight.shape == [3, 4])
        #expect("\(report)".contains("head.weight"))
    }

    @Test func trainAndEvalPropagate() {
        let net = TestNet()
        #expect(net.namedModules().allSatisfy { $0.module.isTraining })
        net.eval()
        #expect(net.namedModules().allSatisfy { !$0.module.isTraining })
        #expect(net.namedModules().count == 10) // net, features (+ 0, 1, 2, 2.0, 2.1), norm, dropout, head
        let y1 = net(Self.input), y2 = net(Self.input)
        #expect(y1 == y2) // dropout off, running statistics used
        net.train()
        #expect(net.features[2].isTraining && net.dropout.isTraining)
        #expect(net(Self.input) != net(Self.input)) // new dropout masks
    }

    @Test func freezeByPattern() {
        let net = TestNet()
        #expect(net.freeze(matching: "features") == ["features.0.weight", "features.0.bias", "features.2.0.weight", "features.2.0.bias"])
        #expect(net.trainableParameters().count == 4)
        let frozen = net.features.stateDict()
        let headBefore = net.head.weight.value
        let optimizer = SGD(net.parameters(), learningRate: 0.1, momentum: 0.9)
        for _ in 0..<2 {
            crossEntropy(logits: net(Self.input), labels: [0, 1, 2, 0, 1]).backward()
            #expect(net.features[0].parameters().allSatisfy { $0.grad == nil })
            optimizer.step()
            optimizer.zeroGrad()
        }
        #expect(net.features.stateDict() == frozen)
        #expect(net.head.weight.value != headBefore)
        #expect(net.unfreeze(matching: "features.2") == ["features.2.0.weight", "features.2.0.bias"])
        net.unfreeze()
        #expect(net.freeze(matching: "**.bias").count == 4)
        net.unfreeze()
        #expect(net.freeze(matching: "*.weight") == ["norm.weight", "head.weight"])
        net.unfreeze()
        #expect(net.freeze(matching: "features.?.weight") == ["features.0.weight"])
        net.unfreeze()
        #expect(net.freeze().count == 8 && net.trainableParameters().isEmpty)
    }

    @Test func namePatterns() {
        let p: NamePattern = "layer1.*.conv?"
        #expect(p.matches("layer1.0.conv1.weight") && p.matches("layer1.12.conv2"))
        #expect(!p.matches("layer1.0.bn1.weight") && !p.matches("layer10.0.conv1.weight"))
        #expect(NamePattern("**.weight").matches("a.b.c.weight") && !NamePattern("*.weight").matches("a.b.weight"))
        #expect(NamePattern("layer").matches("layer.x") && !NamePattern("layer").matches("layers.x"))
    }

    @Test func zeroGradClearsEveryParameter() {
        let net = TestNet()
        crossEntropy(logits: net(Self.input), labels: [0, 1, 2, 0, 1]).backward()
        #expect(net.parameters().allSatisfy { $0.grad != nil })
        net.zeroGrad()
        #expect(net.parameters().allSatisfy { $0.grad == nil })
    }
}
