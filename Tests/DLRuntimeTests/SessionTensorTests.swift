import DLExport
import DLRuntime
import Testing

/// `Session(keepTensors:)` and `tensor(at:)`: every intermediate of a run,
/// read back, against the same tensors computed independently here.
@Suite struct SessionTensorTests {
    /// x [1, 4] -> dense (W, b) -> h -> relu -> y: h and y checked against a naive dense.
    private func model() throws -> (GraphBuilder, x: TensorID, h: TensorID, y: TensorID, w: [Float], b: [Float]) {
        var values = Values(seed: 7)
        let w = values.array(12), b = values.array(3)
        var builder = GraphBuilder()
        let x = try builder.input(name: "x", shape: [1, 4])
        let weight = try builder.constant(name: "w", shape: [3, 4], values: w)
        let bias = try builder.constant(name: "b", shape: [3], values: b)
        let h = try builder.dense(x, weight: weight, bias: bias, name: "h")
        let y = try builder.relu(h, name: "y")
        try builder.output(y)
        return (builder, x, h, y, w, b)
    }

    @Test func intermediatesReadBack() throws {
        let (builder, x, h, y, w, b) = try model()
        let session = try Session(model: try load(builder), keepTensors: true)
        #expect(session.keepsTensors)
        let input: [Float] = [0.5, -1, 2, 0.25]
        _ = try session.run([input])
        let want = (0..<3).map { m in b[m] + (0..<4).reduce(Float(0)) { $0 + w[m * 4 + $1] * input[$1] } }
        expectClose(try session.tensor(at: Int(h.rawValue)), want)
        expectClose(try session.tensor(at: Int(y.rawValue)), want.map { max(0, $0) })
        #expect(try session.tensor(at: Int(x.rawValue)) == input)
        #expect(try session.tensorInfo(at: Int(h.rawValue)).shape == [1, 3])
    }

    @Test func batchedShapesAndMisuseRefused() throws {
        let (builder, _, h, _, _, _) = try model()
        let model = try load(builder)
        let batched = try Session(model: model, batch: 2, keepTensors: true)
        #expect(try batched.tensorInfo(at: Int(h.rawValue)).shape == [2, 3])
        _ = try batched.run([[Float](repeating: 1, count: 8)])
        #expect(try batched.tensor(at: Int(h.rawValue)).count == 6)
        // Without the flag, the arena is shared and nothing can be read back.
        let plain = try Session(model: model)
        #expect(!plain.keepsTensors)
        _ = try plain.run([[Float](repeating: 1, count: 4)])
        expectStatus(.invalidArgument) { _ = try plain.tensor(at: Int(h.rawValue)) }
        // Constants are not in the arena; indices outside the table do not exist.
        expectStatus(.invalidArgument) { _ = try batched.tensor(at: 1) }
        expectStatus(.invalidArgument) { _ = try batched.tensor(at: 99) }
        expectStatus(.invalidArgument) { _ = try batched.tensor(at: -1) }
    }
}
