import DLExport
import DLRuntime
import Testing

/// `Session(keepState:)` and Session+State: feeding a sequence one step per
/// run must equal one run over the whole sequence, and the state API must
/// round-trip, reset and refuse misuse.
@Suite struct SessionStateTests {
    let fixture = CharLSTMFixture()
    let n = 2, steps = 6

    /// Step t's ids [N, 1] out of ids [N, T].
    private func column(_ ids: [Float], _ t: Int) -> [Float] { (0..<n).map { ids[$0 * steps + t] } }

    /// Row n·T + t of the whole-sequence logits, gathered for one step: [N, V].
    private func stepRows(_ logits: [Float], _ t: Int) -> [Float] {
        let v = fixture.vocabulary
        return (0..<n).flatMap { b -> ArraySlice<Float> in
            let row = b * steps + t
            return logits[(row * v)..<((row + 1) * v)]
        }
    }

    @Test func stepByStepEqualsWholeSequence() throws {
        let ids = fixture.ids(n * steps, seed: 4)
        let whole = try Session(model: try load(try fixture.builder(batch: n, steps: steps)))
        let sequenceLogits = try whole.run([ids])[0]
        expectClose(sequenceLogits, fixture.reference(ids: ids, batch: n, steps: steps).logits)

        let stepper = try Session(model: try load(try fixture.builder(batch: n, steps: 1)), keepState: true)
        #expect(stepper.keepsState && !whole.keepsState)
        for t in 0..<steps {
            expectClose(try stepper.run([column(ids, t)])[0], stepRows(sequenceLogits, t), comment: "step \(t)")
        }
        expectClose(try stepper.state(at: 0), try whole.state(at: 0), comment: "final h")
        expectClose(try stepper.state(at: 1), try whole.state(at: 1), comment: "final c")

        // Without keepState every run starts from zeros, as the sequence's first step did.
        let fresh = try Session(model: stepper.model)
        let first = try fresh.run([column(ids, 0)])[0]
        #expect(try fresh.run([column(ids, 0)])[0] == first)
        expectClose(first, stepRows(sequenceLogits, 0))
    }

    /// A prompt run by the T = L model hands its state to a T = 1 session, as dlrt.h describes.
    @Test func stateHandsOverBetweenSessions() throws {
        let ids = fixture.ids(n * steps, seed: 9)
        let prompt = try Session(model: try load(try fixture.builder(batch: n, steps: steps)))
        _ = try prompt.run([ids])
        let (h, c) = (try prompt.state(at: 0), try prompt.state(at: 1))
        let stepper = try Session(model: try load(try fixture.builder(batch: n, steps: 1)), keepState: true)
        try stepper.setState(h, at: 0)
        try stepper.setState(c, at: 1)
        #expect(try stepper.state(at: 0) == h)
        #expect(try stepper.state(at: 1) == c)
        let next: [Float] = [3, 5]
        let want = fixture.reference(ids: next, batch: n, steps: 1, h0: h, c0: c)
        expectClose(try stepper.run([next])[0], want.logits)
        expectClose(try stepper.state(at: 1), want.state.c)

        // Reset: back to zeros, and the next run is a sequence's first step again.
        try stepper.resetState()
        #expect(try (0..<2).flatMap { try stepper.state(at: $0) }.allSatisfy { $0 == 0 })
        expectClose(try stepper.run([next])[0], fixture.reference(ids: next, batch: n, steps: 1).logits)
    }

    @Test func misuseIsRefusedAndChangesNothing() throws {
        let model = try load(try fixture.builder(batch: n, steps: 1))
        let session = try Session(model: model, keepState: true)
        _ = try session.run([[1, 2]])
        let before = try session.state(at: 0)
        let size = n * fixture.hidden
        expectStatus(.shape) { try session.setState([Float](repeating: 0, count: size - 1), at: 0) }
        expectStatus(.shape) { try session.setState([Float](repeating: 0, count: size + 1), at: 0) }
        let nan = expectStatus(.invalidArgument) {
            try session.setState([Float](repeating: 0, count: size - 1) + [.nan], at: 0)
        }
        #expect(!nan.isEmpty)
        #expect(try session.state(at: 0) == before)
        for index in [-1, 2] {
            expectStatus(.invalidArgument) { _ = try session.stateInfo(at: index) }
            expectStatus(.invalidArgument) { _ = try session.state(at: index) }
            expectStatus(.invalidArgument) { try session.setState(before, at: index) }
        }
        // Without keepState a set state would be ignored by the next run: refused.
        let stateless = try Session(model: model)
        expectStatus(.invalidArgument) { try stateless.setState(before, at: 0) }

        // A model without recurrent nodes has no state.
        var b = GraphBuilder()
        try b.output(try b.relu(try b.input(name: "x", shape: [1, 2])))
        let plain = try Session(model: try load(b), keepState: true)
        #expect(plain.stateCount == 0)
        try plain.resetState()
        expectStatus(.invalidArgument) { _ = try plain.state(at: 0) }
    }
}
