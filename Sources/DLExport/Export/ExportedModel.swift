/// A verified runtime model, as `ModelExporter.export` returns it.
public struct ExportedModel: Sendable {
    /// The whole file as a value: graph, metadata, self-test vector.
    public let file: ModelFile
    /// `file` serialized: what `write(to:)` writes.
    public let bytes: [UInt8]
    public let summary: ExportSummary

    /// Writes `bytes` atomically (temporary file, fsync, rename): on any
    /// failure nothing is left at `path` but what was there before.
    public func write(to path: String) throws {
        try AtomicFile.write(bytes, to: path)
    }
}

/// What an export did and measured.
public struct ExportSummary: Sendable, Equatable, CustomStringConvertible {
    public let architecture: String
    public let dataset: String
    /// [C, H, W] (no batch axis).
    public let inputShape: [Int]
    public let classes: Int
    /// What the `classes` outputs are: "classes", or a character model's "characters in the vocabulary".
    public var outputNoun = "classes"
    public let nodes: Int
    public let foldedBatchNorms: Int
    public let fusedActivations: Int
    /// Elements of all constants (folded weights, biases, pooling matrices).
    public let parameters: Int
    /// The checkpoint's last measured test accuracy, a fraction.
    public let testAccuracy: Double?
    /// `Parity.relativeError` of the C runtime's output against the engine's on the self-test input.
    public let parityError: Double
    /// Where the self-test input came from.
    public let selfTestSource: String

    /// Three lines for people: the model, the graph, the parity check.
    public var description: String {
        let accuracy = testAccuracy.map { formatted(", %.2f%% test accuracy", $0 * 100) } ?? ""
        let outputs = classes > 0 ? "\(classes) \(outputNoun)" : "image output"
        return "\(architecture) trained on \(dataset)\(accuracy); input \(inputShape), \(outputs)\n"
            + "\(nodes) nodes (\(foldedBatchNorms) batch norms folded, \(fusedActivations) activations fused), "
            + "\(parameters) parameters\n"
            + "C runtime vs engine on \(selfTestSource): " + formatted("%.2g", parityError)
            + " relative difference (stored as the self-test)"
    }
}
