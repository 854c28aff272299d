import DLExport
import DLRuntime
import Testing

/// embedding, rnn, lstm and gru models built with GraphBuilder, run by the C
/// runtime, checked against RecurrentReference's loops.
@Suite struct RecurrentOpTests {
    @Test func charLSTMMatchesReference() throws {
        let fixture = CharLSTMFixture()
        let (n, steps) = (2, 5)
        let model = try load(try fixture.builder(batch: n, steps: steps))
        #expect(model.outputs[0].shape == [n * steps, fixture.vocabulary])
        let ids = fixture.ids(n * steps, seed: 3)
        let want = fixture.reference(ids: ids, batch: n, steps: steps)
        for threads in [1, 3] {
            let session = try Session(model: model, threads: threads)
            expectClose(try session.run([ids])[0], want.logits, comment: "threads \(threads)")
            // The state a run ends with is readable even without keepState (an encoder's final state).
            #expect(session.stateCount == 2)
            #expect(try (0..<2).map { try session.stateInfo(at: $0).name } == ["lstm.h", "lstm.c"])
            #expect(try session.stateInfo(at: 1).shape == [n, fixture.hidden])
            expectClose(try session.state(at: 0), want.state.h, comment: "h")
            expectClose(try session.state(at: 1), want.state.c, comment: "c")
        }
    }

    /// gru and rnn straight from an input [N, T, I], with each bias present or absent.
    @Test(arguments: [ReferenceRecurrentLayer.Cell.gru, .rnn], [(true, true), (false, true), (true, false), (false, false)])
    func layerMatchesReference(cell: ReferenceRecurrentLayer.Cell, biases: (Bool, Bool)) throws {
        let (n, steps, inputs, hidden) = (3, 4, 5, 6)
        let layer = ReferenceRecurrentLayer(cell, inputSize: inputs, hiddenSize: hidden, biases: biases, seed: 21)
        let rows = cell.gates * hidden
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [n, steps, inputs])
        let wIH = try b.constant(name: "w_ih", shape: [rows, inputs], values: layer.wIH)
        let wHH = try b.constant(name: "w_hh", shape: [rows, hidden], values: layer.wHH)
        let bIH = try layer.bIH.map { try b.constant(name: "b_ih", shape: [rows], values: $0) }
        let bHH = try layer.bHH.map { try b.constant(name: "b_hh", shape: [rows], values: $0) }
        let y = cell == .gru
            ? try b.gru(x, weightIH: wIH, weightHH: wHH, biasIH: bIH, biasHH: bHH, name: "y")
            : try b.rnn(x, weightIH: wIH, weightHH: wHH, biasIH: bIH, biasHH: bHH, name: "y")
        try b.output(y)
        #expect(try b.shape(of: y) == [n, steps, hidden])
        var values = Values(seed: 5)
        let xs = values.array(n * steps * inputs)
        let want = layer.run(xs, n: n, t: steps)
        let session = try Session(model: try load(b))
        expectClose(try session.run([xs])[0], want.y)
        #expect(session.stateCount == 1)
        #expect(try session.stateInfo(at: 0).name == "y.h")
        expectClose(try session.state(at: 0), want.h)
    }

    /// Ids [N] give [N, D]; an id outside [0, V) fails the run and names it.
    @Test func embeddingOfRankOneIdsAndBadIds() throws {
        var values = Values(seed: 8)
        let table = values.array(5 * 3)
        var b = GraphBuilder()
        let ids = try b.input(name: "ids", shape: [4])
        let y = try b.embedding(ids, table: try b.constant(name: "table", shape: [5, 3], values: table))
        try b.output(y)
        #expect(try b.shape(of: y) == [4, 3])
        let session = try Session(model: try load(b))
        let good: [Float] = [4, 0, 2, 2]
        #expect(try session.run([good])[0] == referenceEmbedding(ids: good, table: table, width: 3))
        for bad: Float in [5, -1, 1.5, .nan] {
            let message = expectStatus(.invalidArgument) { _ = try session.run([[0, 1, bad, 3]]) }
            #expect(message.contains("ids") && message.contains("[2]"), "\(message)")
        }
    }
}
