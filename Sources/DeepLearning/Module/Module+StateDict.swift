/// Saving and restoring a module's tensors by dotted name.
extension Module {
    /// Every parameter, then (per module) every buffer, by dotted name in
    /// module order: the tensors a checkpoint holds. Values are copies; the
    /// module is unaffected by later changes to the result.
    public func stateDict() -> StateDict<Scalar> {
        var state = StateDict<Scalar>()
        for (path, module) in namedModules() {
            let prefix = path.isEmpty ? "" : path + "."
            for (name, parameter) in module.ownParameters where state[prefix + name] == nil {
                state[prefix + name] = parameter.value
            }
            for (name, buffer) in module.ownBuffers where state[prefix + name] == nil {
                state[prefix + name] = buffer.value
            }
        }
        return state
    }

    /// Copies `state` into the module's parameters and buffers by name.
    ///
    /// The report lists the module's names missing from `state`, the
    /// names in `state` that the module does not have, and the names whose
    /// shapes differ. With `strict` (the default) any of those throws
    /// `StateDictError.mismatch` and nothing is loaded: a checkpoint either
    /// fits or leaves the model untouched. Non-strict loading copies every
    /// name that fits and skips the rest, shape mismatches included (PyTorch
    /// raises on those even when not strict; skipping them is what loading a
    /// backbone under a new, differently sized head needs), and returns the
    /// report so the caller can check that what was skipped was expected.
    ///
    /// Loading keeps parameters' identities, so an optimizer built before
    /// the load keeps updating the same parameters.
    @discardableResult
    public func load(_ state: StateDict<Scalar>, strict: Bool = true) throws -> LoadReport {
        var targets: [(name: String, shape: [Int], apply: (Tensor<Scalar>) -> Void)] = []
        for (name, parameter) in namedParameters() {
            targets.append((name, parameter.shape, { parameter.assign($0) }))
        }
        for (name, buffer) in namedBuffers() {
            targets.append((name, buffer.shape, { buffer.value = $0 }))
        }
        var report = LoadReport()
        var known = Set<String>()
        var toApply: [(Tensor<Scalar>, (Tensor<Scalar>) -> Void)] = []
        for target in targets {
            known.insert(target.name)
            guard let tensor = state[target.name] else {
                report.missingKeys.append(target.name)
                continue
            }
            guard tensor.shape == target.shape else {
                report.shapeMismatches.append(.init(name: target.name, expected: target.shape, found: tensor.shape))
                continue
            }
            toApply.append((tensor, target.apply))
            report.loadedKeys.append(target.name)
        }
        report.unexpectedKeys = state.keys.filter { !known.contains($0) }
        if strict && !report.isExact { throw StateDictError.mismatch(report) }
        for (tensor, apply) in toApply { apply(tensor) }
        return report
    }

    /// `load(_:strict:)` from an unordered dictionary.
    @discardableResult
    public func load(_ state: [String: Tensor<Scalar>], strict: Bool = true) throws -> LoadReport {
        try load(StateDict(state), strict: strict)
    }
}

/// What `Module.load(_:strict:)` matched, in the module's order.
public struct LoadReport: Sendable, Equatable, CustomStringConvertible {
    public struct ShapeMismatch: Sendable, Equatable {
        public var name: String
        /// The module's shape.
        public var expected: [Int]
        /// The shape in the state dict.
        public var found: [Int]
    }

    /// Names copied into the module.
    public var loadedKeys: [String] = []
    /// Module names absent from the state dict.
    public var missingKeys: [String] = []
    /// State-dict names the module does not have.
    public var unexpectedKeys: [String] = []
    /// Names present on both sides with different shapes (not loaded).
    public var shapeMismatches: [ShapeMismatch] = []

    /// True when every name matched with its shape.
    public var isExact: Bool { missingKeys.isEmpty && unexpectedKeys.isEmpty && shapeMismatches.isEmpty }

    public var description: String {
        var parts: [String] = []
        if !missingKeys.isEmpty { parts.append("missing keys: \(missingKeys.joined(separator: ", "))") }
        if !unexpectedKeys.isEmpty { parts.append("unexpected keys: \(unexpectedKeys.joined(separator: ", "))") }
        for m in shapeMismatches { parts.append("shape mismatch for \(m.name): module has \(m.expected), state dict has \(m.found)") }
        return parts.isEmpty ? "all \(loadedKeys.count) keys matched" : parts.joined(separator: "; ")
    }
}

public enum StateDictError: Error, Equatable, CustomStringConvertible {
    /// A strict load found missing or unexpected keys or shape mismatches; nothing was loaded.
    case mismatch(LoadReport)

    public var description: String {
        switch self {
        case .mismatch(let report): return "state dict does not match the module: \(report)"
        }
    }
}
