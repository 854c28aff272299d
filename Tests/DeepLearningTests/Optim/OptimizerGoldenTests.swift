import Testing
@testable import DeepLearning

/// SGD (momentum, dampening, Nesterov, weight decay), Adam (L2 decay,
/// AMSGrad) and AdamW against torch.optim in float64: two parameter groups
/// with their own learning rate and weight decay, a fixed gradient sequence
/// with some parameters left without a gradient at some steps, parameters
/// compared after every step within 1e-6 relative.
@Suite struct OptimizerGoldenTests {
    static let cases = (try? GoldenCase.load("optimizers.json")) ?? []

    @Test func goldenFileLoads() {
        #expect(Self.cases.map(\.name) == ["sgd_plain", "sgd_momentum_dampening_decay", "sgd_nesterov", "adam",
                                            "adam_amsgrad", "adamw"])
    }

    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorchInDouble(name: String) {
        let c = Self.cases.first { $0.name == name }!
        let failures = c.mismatches(c.replay(Double.self), tolerance: 1e-6)
        #expect(failures.isEmpty, "\(name): \(failures.prefix(5))")
    }

    /// The same in Float: the training type agrees to float32 precision.
    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorchInFloat(name: String) {
        let c = Self.cases.first { $0.name == name }!
        let failures = c.mismatches(c.replay(Float.self), tolerance: 1e-4)
        #expect(failures.isEmpty, "\(name): \(failures.prefix(5))")
    }

    /// Saving the optimizer's state midway and loading it into a fresh
    /// optimizer over fresh parameters continues exactly.
    @Test(arguments: Self.cases.map(\.name))
    func resumesExactlyFromStateDict(name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let steps = c.grads.count, half = steps / 2
        var trace = GoldenCase.Trace()
        let p1: [Parameter<Double>] = c.makeParameters(Double.self)
        let o1 = c.makeOptimizer(p1)
        GoldenCase.runSteps(0..<half, case: c, parameters: p1, optimizer: o1, schedule: nil, plateau: nil, trace: &trace)
        let saved = o1.stateDict()

        let p2: [Parameter<Double>] = c.makeParameters(Double.self)
        for (a, b) in zip(p2, p1) { a.assign(b.value) }
        let o2 = c.makeOptimizer(p2)
        try o2.load(stateDict: saved)
        #expect(o2.stateDict() == saved)
        GoldenCase.runSteps(half..<steps, case: c, parameters: p2, optimizer: o2, schedule: nil, plateau: nil, trace: &trace)
        let uninterrupted = c.replay(Double.self)
        #expect(trace.params == uninterrupted.params)
    }
}
