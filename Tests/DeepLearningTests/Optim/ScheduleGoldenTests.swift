import Testing
@testable import DeepLearning

/// StepLR, MultiStepLR, CosineAnnealingLR (past T_max), OneCycleLR (SGD
/// momentum; Adam β1 with three phases and linear annealing) and
/// ReduceLROnPlateau (min/relative with cooldown and per-group min_lr;
/// max/absolute) against torch.optim.lr_scheduler: each stepped after
/// optimizer.step() with two parameter groups; learning rates, momenta and
/// parameters compared after every step within 1e-6 relative.
@Suite struct ScheduleGoldenTests {
    static let cases = (try? GoldenCase.load("schedules.json")) ?? []

    @Test func goldenFileLoads() {
        #expect(Self.cases.count == 7)
    }

    @Test(arguments: Self.cases.map(\.name))
    func matchesPyTorch(name: String) {
        let c = Self.cases.first { $0.name == name }!
        let failures = c.mismatches(c.replay(Double.self), tolerance: 1e-6)
        #expect(failures.isEmpty, "\(name): \(failures.prefix(5))")
    }

    /// The rates set at construction (epoch 0) are PyTorch's.
    @Test(arguments: Self.cases.map(\.name))
    func initialRatesMatch(name: String) {
        let c = Self.cases.first { $0.name == name }!
        let p = c.makeParameters(Double.self)
        let optimizer = c.makeOptimizer(p)
        _ = c.makeSchedule(optimizer)
        #expect(GoldenCase.maxRelativeError(optimizer.groups.map(\.learningRate), c.initialLRs) <= 1e-12)
    }

    /// Optimizer and schedule saved midway and loaded into fresh ones built
    /// with the same arguments continue exactly as the uninterrupted run.
    @Test(arguments: Self.cases.map(\.name))
    func resumesExactly(name: String) throws {
        let c = Self.cases.first { $0.name == name }!
        let steps = c.grads.count, half = steps / 2
        var trace = GoldenCase.Trace()
        let p1 = c.makeParameters(Double.self)
        let o1 = c.makeOptimizer(p1)
        let (s1, r1) = c.makeSchedule(o1)
        GoldenCase.runSteps(0..<half, case: c, parameters: p1, optimizer: o1, schedule: s1, plateau: r1, trace: &trace)
        let savedOptimizer = o1.stateDict()
        let savedSchedule = (s1 as (any LearningRateSchedule)? ?? r1)!.stateDict()

        let p2 = c.makeParameters(Double.self)
        for (a, b) in zip(p2, p1) { a.assign(b.value) }
        let o2 = c.makeOptimizer(p2)
        let (s2, r2) = c.makeSchedule(o2)
        try o2.load(stateDict: savedOptimizer)
        try (s2 as (any LearningRateSchedule)? ?? r2)!.load(stateDict: savedSchedule)
        GoldenCase.runSteps(half..<steps, case: c, parameters: p2, optimizer: o2, schedule: s2, plateau: r2, trace: &trace)
        let uninterrupted = c.replay(Double.self)
        #expect(trace.params == uninterrupted.params)
        #expect(trace.lrs == uninterrupted.lrs)
        #expect(trace.momenta == uninterrupted.momenta)
    }
}
