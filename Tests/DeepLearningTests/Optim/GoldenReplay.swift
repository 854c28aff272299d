import Foundation
@testable import DeepLearning

/// Replays a case of tools/golden/make_optim_golden.py: builds the same
/// parameters, groups, optimizer and schedule, feeds the same gradients and
/// collects parameters, learning rates and momenta after every step.
struct GoldenCase {
    let name: String
    let raw: [String: Any]

    static func load(_ file: String) throws -> [GoldenCase] {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Golden").appendingPathComponent(file)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (json["cases"] as! [[String: Any]]).map { GoldenCase(name: $0["name"] as! String, raw: $0) }
    }

    var optimizerSpec: [String: Any] { raw["optimizer"] as! [String: Any] }
    var scheduleSpec: [String: Any]? { raw["schedule"] as? [String: Any] }
    var shapes: [[Int]] { raw["shapes"] as! [[Int]] }
    var initial: [[Double]] { raw["initial"] as! [[Double]] }
    /// [step][parameter]: nil where the parameter gets no gradient.
    var grads: [[[Double]?]] { (raw["grads"] as! [[Any]]).map { $0.map { $0 as? [Double] } } }
    var metrics: [Double]? { raw["metrics"] as? [Double] }
    var expectedParams: [[[Double]]] { raw["params"] as! [[[Double]]] }
    var expectedLRs: [[Double]] { raw["lrs"] as! [[Double]] }
    var expectedMomenta: [[Double]] { raw["momenta"] as! [[Double]] }
    var initialLRs: [Double] { raw["initial_lrs"] as! [Double] }

    struct Trace {
        var params: [[[Double]]] = []
        var lrs: [[Double]] = []
        var momenta: [[Double]] = []
    }

    func makeParameters<Scalar: TensorScalar>(_: Scalar.Type) -> [Parameter<Scalar>] {
        zip(shapes, initial).map { Parameter(Tensor<Scalar>(shape: $0, scalars: $1.map { Scalar($0) })) }
    }

    func makeOptimizer<Scalar: TensorScalar>(_ p: [Parameter<Scalar>]) -> Optimizer<Scalar> {
        let spec = optimizerSpec
        func d(_ key: String) -> Double? { (spec[key] as? NSNumber)?.doubleValue }
        let groupSpecs = raw["groups"] as! [[String: Any]]
        let groups = groupSpecs.map { g in
            ParameterGroup((g["params"] as! [Int]).map { p[$0] },
                           learningRate: (g["lr"] as? NSNumber)?.doubleValue,
                           weightDecay: (g["weight_decay"] as? NSNumber)?.doubleValue)
        }
        let betas = (spec["betas"] as? [Double]).map { ($0[0], $0[1]) } ?? (0.9, 0.999)
        switch spec["type"] as! String {
        case "sgd":
            return SGD(groups: groups, learningRate: d("lr")!, momentum: d("momentum") ?? 0, dampening: d("dampening") ?? 0,
                       weightDecay: d("weight_decay") ?? 0, nesterov: spec["nesterov"] as? Bool ?? false)
        case "adam":
            return Adam(groups: groups, learningRate: d("lr") ?? 1e-3, betas: betas, eps: d("eps") ?? 1e-8,
                        weightDecay: d("weight_decay") ?? 0, amsgrad: spec["amsgrad"] as? Bool ?? false)
        case "adamw":
            return AdamW(groups: groups, learningRate: d("lr") ?? 1e-3, betas: betas, eps: d("eps") ?? 1e-8,
                         weightDecay: d("weight_decay") ?? 1e-2, amsgrad: spec["amsgrad"] as? Bool ?? false)
        case let other:
            fatalError("unknown optimizer \(other)")
        }
    }

    /// An epoch schedule, or a plateau schedule (stepped with the metrics).
    func makeSchedule<Scalar: TensorScalar>(_ optimizer: Optimizer<Scalar>) -> (LRScheduler<Scalar>?, ReduceLROnPlateau<Scalar>?) {
        guard let spec = scheduleSpec else { return (nil, nil) }
        func d(_ key: String) -> Double? { (spec[key] as? NSNumber)?.doubleValue }
        func i(_ key: String) -> Int? { (spec[key] as? NSNumber)?.intValue }
        func list(_ key: String) -> [Double]? {
            if let a = spec[key] as? [Double] { return a }
            return d(key).map { [$0] }
        }
        switch spec["type"] as! String {
        case "step": return (StepLR(optimizer: optimizer, stepSize: i("step_size")!, gamma: d("gamma") ?? 0.1), nil)
        case "multistep": return (MultiStepLR(optimizer: optimizer, milestones: spec["milestones"] as! [Int], gamma: d("gamma") ?? 0.1), nil)
        case "cosine": return (CosineAnnealingLR(optimizer: optimizer, tMax: i("T_max")!, minLearningRate: d("eta_min") ?? 0), nil)
        case "onecycle":
            return (OneCycleLR(optimizer: optimizer, maxLearningRates: list("max_lr")!, totalSteps: i("total_steps")!,
                               pctStart: d("pct_start") ?? 0.3,
                               annealing: spec["anneal_strategy"] as? String == "linear" ? .linear : .cosine,
                               baseMomentum: d("base_momentum") ?? 0.85, maxMomentum: d("max_momentum") ?? 0.95,
                               divFactor: d("div_factor") ?? 25, finalDivFactor: d("final_div_factor") ?? 1e4,
                               threePhase: spec["three_phase"] as? Bool ?? false), nil)
        case "plateau":
            return (nil, ReduceLROnPlateau(optimizer: optimizer, mode: spec["mode"] as? String == "max" ? .max : .min,
                                           factor: d("factor") ?? 0.1, patience: i("patience") ?? 10,
                                           threshold: d("threshold") ?? 1e-4,
                                           thresholdMode: spec["threshold_mode"] as? String == "abs" ? .absolute : .relative,
                                           cooldown: i("cooldown") ?? 0, minLearningRates: list("min_lr") ?? [0]))
        case let other:
            fatalError("unknown schedule \(other)")
        }
    }

    /// Runs the steps from `start` on (after a resume), appending to `trace`.
    static func runSteps<Scalar: TensorScalar>(_ range: Range<Int>, case c: GoldenCase, parameters p: [Parameter<Scalar>],
                                               optimizer: Optimizer<Scalar>, schedule: LRScheduler<Scalar>?,
                                               plateau: ReduceLROnPlateau<Scalar>?, trace: inout Trace) {
        let grads = c.grads
        for step in range {
            for (i, g) in grads[step].enumerated() {
                p[i].grad = g.map { Tensor<Scalar>(shape: c.shapes[i], scalars: $0.map { Scalar($0) }) }
            }
            optimizer.step()
            schedule?.step()
            plateau?.step(metric: c.metrics![step])
            trace.params.append(p.map { $0.value.scalars.map { Double($0) } })
            trace.lrs.append(optimizer.groups.map(\.learningRate))
            trace.momenta.append(optimizer.groups.map(\.momentum))
        }
    }

    func replay<Scalar: TensorScalar>(_ type: Scalar.Type) -> Trace {
        let p = makeParameters(type)
        let optimizer = makeOptimizer(p)
        let (schedule, plateau) = makeSchedule(optimizer)
        var trace = Trace()
        Self.runSteps(0..<grads.count, case: self, parameters: p, optimizer: optimizer, schedule: schedule,
                      plateau: plateau, trace: &trace)
        return trace
    }

    /// The largest |a - b| / max(|a|, |b|) over matching values (0 when
    /// both are below 1e-12 apart), and where it occurs.
    static func maxRelativeError(_ a: [Double], _ b: [Double]) -> Double {
        precondition(a.count == b.count)
        var worst = 0.0
        for (x, y) in zip(a, b) {
            let diff = Swift.abs(x - y)
            if diff <= 1e-12 { continue }
            worst = Swift.max(worst, diff / Swift.max(Swift.abs(x), Swift.abs(y)))
        }
        return worst
    }

    /// Compares a trace with the golden values; returns failures as text.
    func mismatches(_ trace: Trace, tolerance: Double) -> [String] {
        var failures: [String] = []
        let params = expectedParams, lrs = expectedLRs, momenta = expectedMomenta
        guard trace.params.count == params.count else { return ["\(trace.params.count) steps, expected \(params.count)"] }
        for step in params.indices {
            for i in params[step].indices {
                let e = Self.maxRelativeError(trace.params[step][i], params[step][i])
                if e > tolerance { failures.append("step \(step) parameter \(i): relative error \(e)") }
            }
            let el = Self.maxRelativeError(trace.lrs[step], lrs[step])
            if el > tolerance { failures.append("step \(step) lrs \(trace.lrs[step]) expected \(lrs[step])") }
            if scheduleSpec != nil {
                let em = Self.maxRelativeError(trace.momenta[step], momenta[step])
                if em > tolerance { failures.append("step \(step) momenta \(trace.momenta[step]) expected \(momenta[step])") }
            }
        }
        return failures
    }
}
