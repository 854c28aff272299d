/// Freezing for transfer learning: a frozen parameter gets no gradient, so
/// optimizers leave it as it is (see `Parameter.isFrozen`).
extension Module {
    /// Freezes the parameters whose dotted names match `pattern` (every
    /// parameter when nil) and returns their names. See `NamePattern`:
    /// `model.freeze(matching: "features")` freezes a whole sub-tree.
    @discardableResult
    public func freeze(matching pattern: NamePattern? = nil) -> [String] {
        setFrozen(true, matching: pattern)
    }

    /// Unfreezes the parameters whose dotted names match `pattern` (every
    /// parameter when nil) and returns their names.
    @discardableResult
    public func unfreeze(matching pattern: NamePattern? = nil) -> [String] {
        setFrozen(false, matching: pattern)
    }

    private func setFrozen(_ frozen: Bool, matching pattern: NamePattern?) -> [String] {
        var names: [String] = []
        for (name, parameter) in namedParameters() where pattern?.matches(name) ?? true {
            parameter.isFrozen = frozen
            names.append(name)
        }
        return names
    }
}
