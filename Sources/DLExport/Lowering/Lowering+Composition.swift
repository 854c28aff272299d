import DeepLearning

// Composition modules: chains, residual adds and concatenations. They add
// no weights; their children are lowered under the children's names, so
// every constant keeps its state-dict name.

extension Sequential: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try lowerChain(children, input, in: &context)
    }
}

extension NamedSequential: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try lowerChain(layers, input, in: &context)
    }
}

/// `activation(body(x) + shortcut(x))`: an `add` named after the block; a
/// ReLU after it is fused into the add by `GraphRewriter`.
extension Residual: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        let main = try context.lower(body, named: bodyName, input)
        let skip = try shortcut.map { try context.lower($0, named: shortcutName, input) } ?? input
        let sum = try context.emit { builder, name in try builder.add(main, skip, name: name) }
        return try activation.map { try context.lower($0, named: activationName, sum) } ?? sum
    }
}

/// `[x (with includeInput), branch1(x), ...]` concatenated along `axis`.
extension Concat: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        var parts = includeInput ? [input] : []
        for (name, branch) in branches { parts.append(try context.lower(branch, named: name, input)) }
        guard parts.count > 1 else { return parts[0] }
        return try context.emit { builder, name in try builder.concat(parts, axis: axis, name: name) }
    }
}

/// GoogLeNet's evaluation path: the trunk, then the head. The auxiliary
/// classifiers only run in training mode, so they are not exported.
extension GoogLeNet: LayerLowering where Scalar == Float {
    public func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID {
        try lowerChain(trunk + head, input, in: &context)
    }
}

/// Lowers `layers` one after another, each under its name.
func lowerChain(_ layers: [(name: String, module: Module<Float>)], _ input: TensorID,
                in context: inout LoweringContext) throws -> TensorID {
    try layers.reduce(input) { x, layer in try context.lower(layer.module, named: layer.name, x) }
}
