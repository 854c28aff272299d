import DLRuntime
import Testing
@testable import DLExport

/// GraphBuilder+Recurrent: shapes, the checks the loader would otherwise
/// make (each named in the error), and the minor version a file gets.
/// The values these nodes compute are checked in DLRuntimeTests.
@Suite struct GraphBuilderRecurrentTests {
    static func zeros(_ count: Int) -> [Float] { [Float](repeating: 0, count: count) }

    /// ids [2, 3] -> embedding [10, 4] -> lstm H 5 -> gru H 6 -> rnn H 7 with weights named `w_ih.<op>`, ...
    private func chain() throws -> (GraphBuilder, y: TensorID) {
        var b = GraphBuilder()
        let ids = try b.input(name: "ids", shape: [2, 3])
        var y = try b.embedding(ids, table: try b.constant(name: "table", shape: [10, 4], values: Self.zeros(40)))
        for (op, gates, hidden) in [(OpCode.lstm, 4, 5), (.gru, 3, 6), (.rnn, 1, 7)] {
            let input = try b.shape(of: y)[2], rows = gates * hidden
            let wIH = try b.constant(name: "w_ih.\(op)", shape: [rows, input], values: Self.zeros(rows * input))
            let wHH = try b.constant(name: "w_hh.\(op)", shape: [rows, hidden], values: Self.zeros(rows * hidden))
            let bias = try b.constant(name: "b.\(op)", shape: [rows], values: Self.zeros(rows))
            switch op {
            case .lstm: y = try b.lstm(y, weightIH: wIH, weightHH: wHH, biasIH: bias, name: "lstm")
            case .gru: y = try b.gru(y, weightIH: wIH, weightHH: wHH, biasHH: bias)
            default: y = try b.rnn(y, weightIH: wIH, weightHH: wHH, biasIH: bias, biasHH: bias)
            }
        }
        try b.output(y)
        return (b, y)
    }

    @Test func shapesNamesAndAbsentBiases() throws {
        let (b, y) = try chain()
        #expect(try b.shape(of: y) == [2, 3, 7])
        #expect(b.nodes.map(\.op) == [.embedding, .lstm, .gru, .rnn])
        #expect(b.nodes.map(\.op.name) == ["embedding", "lstm", "gru", "rnn"])
        #expect(b.nodes.map { b.tensors[$0.outputs[0].index].name } == ["embedding_0", "lstm", "gru_2", "rnn_3"])
        // Absent optional biases are written as absent inputs, in their slots.
        #expect(b.nodes[1].inputs.count == 5 && b.nodes[1].inputs[3] != nil && b.nodes[1].inputs[4] == nil)
        #expect(b.nodes[2].inputs[3] == nil && b.nodes[2].inputs[4] != nil)
        // The runtime infers the same shapes (its loader checks every stored one).
        let model = try Model(bytes: try b.serialize())
        #expect(model.outputs[0].shape == [2, 3, 7])
        // --inspect counts each step's W_ih and W_hh multiplies: N·T·(G·H·I + G·H·H).
        let inspection = try ModelInspection(b.modelFile, path: "m.dlrt", fileSize: 0)
        #expect(inspection.nodes.map(\.macs) == [0, 6 * (20 * 4 + 20 * 5), 6 * (18 * 5 + 18 * 6), 6 * (7 * 6 + 7 * 7)])
    }

    /// Format 1.2 only when a recurrent op is used (docs/FORMAT.md, header), whatever else the file holds.
    @Test func minorVersionFollowsTheOpsUsed() throws {
        let (b, _) = try chain()
        let bytes = try b.serialize()
        #expect(bytes[8] == 1 && bytes[9] == 0 && bytes[10] == 2 && bytes[11] == 0)
        var plain = GraphBuilder()
        try plain.output(try plain.relu(try plain.input(name: "x", shape: [1, 2])))
        #expect(try plain.serialize()[10] == 0)
        var file = b.modelFile
        file.nodes.append(NodeDefinition(op: .quantize, inputs: [file.outputs[0]], outputs: [file.outputs[0]]))
        #expect(file.computesInInt8 && file.minorVersion == 2)
        file.nodes.removeAll { $0.op != .quantize }
        #expect(file.minorVersion == 1 && !file.usesRecurrentOps)
    }

    @Test func badOperandsAreRefusedByName() throws {
        var b = GraphBuilder()
        let ids = try b.input(name: "ids", shape: [2, 3])
        let cube = try b.input(name: "cube", shape: [2, 3, 4])
        let table = try b.constant(name: "table", shape: [10, 4], values: Self.zeros(40))
        let notConstant = try b.input(name: "nc", shape: [10, 4])
        func message(_ body: () throws -> TensorID) -> String {
            do { _ = try body() } catch { return "\(error)" }
            return "nothing thrown"
        }
        #expect(message { try b.embedding(cube, table: table) }.contains("ids 'cube' must be [N] or [N, T]"))
        #expect(message { try b.embedding(ids, table: notConstant) }.contains("table 'nc' must be a constant"))
        let wide = try b.constant(name: "wide", shape: [1 << 24 + 1, 1], values: Self.zeros(1 << 24 + 1))
        #expect(message { try b.embedding(ids, table: wide) }.contains("at most 2^24"))

        let wIH = try b.constant(name: "w_ih", shape: [20, 4], values: Self.zeros(80))
        let wHH = try b.constant(name: "w_hh", shape: [20, 5], values: Self.zeros(100))
        let badHH = try b.constant(name: "bad_hh", shape: [20, 6], values: Self.zeros(120))
        let badIH = try b.constant(name: "bad_ih", shape: [20, 3], values: Self.zeros(60))
        let bias = try b.constant(name: "b", shape: [16], values: Self.zeros(16))
        #expect(message { try b.lstm(ids, weightIH: wIH, weightHH: wHH) }.contains("must be [N, T, I]"))
        #expect(message { try b.lstm(cube, weightIH: wIH, weightHH: badHH) }
            .contains("lstm 'lstm_0': W_hh 'bad_hh' must have shape [24, 6], has [20, 6]"))
        #expect(message { try b.lstm(cube, weightIH: badIH, weightHH: wHH) }
            .contains("W_ih 'bad_ih' must have shape [20, 4]"))
        #expect(message { try b.lstm(cube, weightIH: wIH, weightHH: wHH, biasHH: bias) }
            .contains("b_hh 'b' must have shape [20]"))
        #expect(message { try b.gru(cube, weightIH: wIH, weightHH: wHH) }
            .contains("gru 'gru_0': W_hh 'w_hh' must have shape [15, 5]"))
        #expect(message { try b.rnn(cube, weightIH: wIH, weightHH: notConstant) }
            .contains("W_hh 'nc' must be a constant"))
        // The failed attempts left no node behind.
        #expect(b.nodes.isEmpty)
        let b20 = try b.constant(name: "b20", shape: [20], values: Self.zeros(20))
        _ = try b.lstm(cube, weightIH: wIH, weightHH: wHH, biasIH: b20)
        #expect(b.nodes.count == 1)
    }
}
