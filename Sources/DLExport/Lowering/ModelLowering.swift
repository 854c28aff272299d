import DeepLearning

/// A module lowered to a runtime graph: one input `[1] + inputShape`
/// named "input", one output, batch norms folded and activations fused.
public struct LoweredModel: Sendable {
    /// The graph, ready for metadata, a self-test vector and `serialize()`.
    public var builder: GraphBuilder
    public var input: TensorID
    public var output: TensorID
    /// How many `batch_norm` nodes were folded into a preceding conv or dense.
    public var foldedBatchNorms: Int
    /// How many activation nodes became a fused `activation` attribute.
    public var fusedActivations: Int
}

extension LoweredModel {
    /// Lowers `model` as its evaluation-mode `forward` computes, for one
    /// example of `inputShape` ([C, H, W], or [features] for a model that
    /// takes flat vectors). The mode of `model` itself is not changed.
    ///
    /// Throws `ExportError.unsupportedLayer` naming the first module (by
    /// dotted path) that has no lowering, and `ExportError.shape` when the
    /// input shape does not fit the model.
    public init(_ model: Module<Float>, inputShape: [Int]) throws {
        var context = LoweringContext()
        let input = try context.builder.input(name: "input", shape: [1] + inputShape)
        let output = try context.lower(model, named: nil, input)
        guard output != input else {
            throw ExportError.unsupportedLayer(path: "", type: LoweringContext.typeName(model),
                                               reason: "the model computes the identity; there is no graph to export")
        }
        try context.builder.output(output)
        var rewriter = GraphRewriter(context.builder.modelFile)
        let folded = try rewriter.foldBatchNorms()
        let fused = rewriter.fuseActivations()
        let compact = rewriter.compacted()
        self.init(builder: GraphBuilder(compact), input: compact.inputs[0], output: compact.outputs[0],
                  foldedBatchNorms: folded, fusedActivations: fused)
    }
}
