import DeepLearning

/// A module kind that lowers itself to runtime-graph nodes.
///
/// Each layer family conforms in its own file next to this one (the way
/// the zoo's modules conform to `FlopCounting`), so adding a layer to the
/// exporter is one extension. A module without a conformance is refused by
/// `LoweringContext.lower(_:named:_:)` with its dotted name and class:
/// `unsupported layer 'features.3' (MyLayer)`.
///
/// Lowering is naive on purpose: every module becomes the nodes that
/// compute exactly what its evaluation-mode `forward` computes (a batch
/// norm becomes a `batch_norm` node, a ReLU a `relu` node, dropout
/// nothing). Folding and fusion are separate rewrites of the finished graph
/// (`GraphRewriter`), so each layer's lowering stays obviously right.
public protocol LayerLowering {
    /// Appends the nodes that compute this module in evaluation mode on
    /// `input` and returns the tensor holding its output.
    func lower(_ input: TensorID, in context: inout LoweringContext) throws -> TensorID
}

/// The graph under construction and where in the module tree lowering is.
public struct LoweringContext {
    /// The graph so far.
    public internal(set) var builder: GraphBuilder
    /// The dotted path of the module being lowered ("" for the root), as in
    /// its state-dict names: `layer1.0.conv1`.
    public internal(set) var path: String = ""
    private var usedNames: Set<String> = []

    init(builder: GraphBuilder = GraphBuilder()) {
        self.builder = builder
        usedNames = Set(builder.tensors.map(\.name))
    }

    /// Lowers `module`, a child of the current module under `name`, or inlined
    /// (its children named directly under the current path) when `name` is nil.
    public mutating func lower(_ module: Module<Float>, named name: String?, _ input: TensorID) throws -> TensorID {
        let parent = path
        if let name { path = parent.isEmpty ? name : parent + "." + name }
        defer { path = parent }
        guard let lowerable = module as? LayerLowering else {
            throw ExportError.unsupportedLayer(path: path, type: Self.typeName(module), reason: nil)
        }
        return try lowerable.lower(input, in: &self)
    }

    /// Refuses the current module: it is known, but not lowerable as configured.
    public func unsupported(_ module: AnyObject, _ reason: String) -> ExportError {
        .unsupportedLayer(path: path, type: Self.typeName(module), reason: reason)
    }

    /// Adds one node through a `GraphBuilder` helper, naming its output after
    /// the current module (`<path>`, or `<path>.<suffix>`; made unique with
    /// `_2`, `_3`, ... when a module is applied twice, as torchvision's
    /// BasicBlock applies its one ReLU).
    public mutating func emit(_ suffix: String? = nil,
                              _ node: (inout GraphBuilder, _ name: String) throws -> TensorID) throws -> TensorID {
        let name = reserve(qualified(suffix ?? ""))
        return try node(&builder, name)
    }

    /// An f32 constant named `<path>.<suffix>` (`layer1.0.conv1.weight`, the state-dict name).
    public mutating func constant(_ suffix: String, shape: [Int], values: [Float]) throws -> TensorID {
        let name = reserve(qualified(suffix))
        return try builder.constant(name: name, shape: shape, values: values)
    }

    public mutating func constant(_ suffix: String, _ tensor: Tensor<Float>) throws -> TensorID {
        try constant(suffix, shape: tensor.shape, values: tensor.scalars)
    }

    /// The shape of a tensor of the graph (batch size 1).
    public func shape(of tensor: TensorID) throws -> [Int] { try builder.shape(of: tensor) }

    /// `path.suffix`, the path alone, or for the root module the suffix or "model".
    private func qualified(_ suffix: String) -> String {
        if path.isEmpty { return suffix.isEmpty ? "model" : suffix }
        return suffix.isEmpty ? path : path + "." + suffix
    }

    private mutating func reserve(_ name: String) -> String {
        var candidate = name
        var index = 2
        while usedNames.contains(candidate) {
            candidate = "\(name)_\(index)"
            index += 1
        }
        usedNames.insert(candidate)
        return candidate
    }

    /// "Conv2d" for `Conv2d<Float>`: the class as the user wrote it.
    static func typeName(_ object: Any) -> String {
        let full = String(describing: type(of: object))
        return full.firstIndex(of: "<").map { String(full[..<$0]) } ?? full
    }
}
