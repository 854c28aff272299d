import DLExport

/// A character-level language model with random weights: ids [N, T] ->
/// embedding [V, D] -> lstm H -> dense to V logits, row n·T + t of [N·T, V].
/// The same weights can be stored with any T, which is how the state tests
/// compare one run over a sequence with runs of one step each.
struct CharLSTMFixture {
    let vocabulary = 7, width = 4, hidden = 6
    let table: [Float], lstm: ReferenceRecurrentLayer, dense: [Float], bias: [Float]

    init(seed: UInt64 = 11) {
        var values = Values(seed: seed)
        table = values.array(vocabulary * width)
        lstm = ReferenceRecurrentLayer(.lstm, inputSize: width, hiddenSize: hidden, seed: seed + 1)
        dense = values.array(vocabulary * hidden)
        bias = values.array(vocabulary)
    }

    /// The model stored with batch `n` and `steps` time steps; its lstm output is named "lstm".
    func builder(batch n: Int, steps: Int) throws -> GraphBuilder {
        var b = GraphBuilder()
        let ids = try b.input(name: "ids", shape: [n, steps])
        let embedded = try b.embedding(ids, table: try b.constant(name: "table", shape: [vocabulary, width], values: table))
        let rows = lstm.cell.gates * hidden
        let y = try b.lstm(embedded, weightIH: try b.constant(name: "w_ih", shape: [rows, width], values: lstm.wIH),
                           weightHH: try b.constant(name: "w_hh", shape: [rows, hidden], values: lstm.wHH),
                           biasIH: try b.constant(name: "b_ih", shape: [rows], values: lstm.bIH!),
                           biasHH: try b.constant(name: "b_hh", shape: [rows], values: lstm.bHH!), name: "lstm")
        let flat = try b.reshape(y, shape: [-1, hidden])
        let logits = try b.dense(flat, weight: try b.constant(name: "w_out", shape: [vocabulary, hidden], values: dense),
                                 bias: try b.constant(name: "b_out", shape: [vocabulary], values: bias), name: "logits")
        try b.output(logits)
        return b
    }

    /// Logits [N·T, V] and the final state, from the Swift reference.
    func reference(ids: [Float], batch n: Int, steps: Int, h0: [Float]? = nil, c0: [Float]? = nil)
        -> (logits: [Float], state: ReferenceRecurrentLayer.Result)
    {
        let x = referenceEmbedding(ids: ids, table: table, width: width)
        let state = lstm.run(x, n: n, t: steps, h0: h0, c0: c0)
        return (referenceDense(state.y, rows: n * steps, weight: dense, bias: bias, outputs: vocabulary), state)
    }

    /// `count` ids in [0, V) for a batch of sequences.
    func ids(_ count: Int, seed: UInt64) -> [Float] {
        var values = Values(seed: seed)
        return (0..<count).map { _ in Float(Int((values.next() + 1) / 2 * Float(vocabulary)) % vocabulary) }
    }
}
