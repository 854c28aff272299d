import DLExport
import DLSupport
import Foundation

/// A character-level model with random weights, as dlgen's contract wants
/// it (docs/FORMAT.md): ids [N, T] -> embedding -> lstm -> dense to V
/// logits, metadata `vocabulary`. Stored with T = 1 for dlgen, or with a
/// longer T for the tests that check it against one run over a whole text.
struct CharModelFixture {
    var vocabulary: [String] = ["\n", " ", "R", "O", "M", "E", ":", "a", "e", "t"]
    var width = 5, hidden = 8
    /// Seed 6's greedy text from "ROME" follows a newline by 'R' in some places and 'e' in others.
    var seed: UInt64 = 6
    /// The logits' shape: [N·T, 1, V] when true, [N·T, V] otherwise.
    var threeDimensionalLogits = false
    /// Written as metadata `vocabulary` when true (the contract's key), else left out.
    var writesVocabulary = true
    /// The number of logits; nil: the vocabulary's size.
    var logitCount: Int?
    /// The embedding table's rows; nil: the vocabulary's size.
    var tableRows: Int?

    func builder(steps: Int = 1) throws -> GraphBuilder {
        var random = PortableNormal(seed: seed)
        var b = GraphBuilder()
        /// A constant of uniform values in [-scale, scale).
        func constant(_ name: String, _ shape: [Int], scale: Float) throws -> TensorID {
            let values = (0..<shape.reduce(1, *)).map { _ in Float(random.nextUniform() * 2 - 1) * scale }
            return try b.constant(name: name, shape: shape, values: values)
        }
        let (v, rows) = (logitCount ?? vocabulary.count, 4 * hidden)
        let ids = try b.input(name: "ids", shape: [1, steps])
        let embedded = try b.embedding(ids, table: try constant("table", [tableRows ?? vocabulary.count, width], scale: 1))
        let y = try b.lstm(embedded, weightIH: try constant("w_ih", [rows, width], scale: 0.8),
                           weightHH: try constant("w_hh", [rows, hidden], scale: 0.8),
                           biasIH: try constant("b_ih", [rows], scale: 0.2))
        var logits = try b.dense(try b.reshape(y, shape: [-1, hidden]), weight: try constant("w_out", [v, hidden], scale: 3),
                                 bias: try constant("b_out", [v], scale: 0.5))
        if threeDimensionalLogits { logits = try b.reshape(logits, shape: [-1, 1, v]) }
        try b.output(logits)
        if writesVocabulary { b.setMetadata(.stringArray(vocabulary), for: "vocabulary") }
        return b
    }

    func write(to path: String, steps: Int = 1) throws -> String {
        try builder(steps: steps).write(to: path)
        return path
    }

    static func makeDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "dlgen-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }
}
