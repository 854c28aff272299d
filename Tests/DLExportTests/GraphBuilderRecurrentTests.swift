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

    /// ids [2, 3] -> embedding [7, 4] -> lstm H 5 -> reshape [6, 5] -> dense [7, 5], with the LSTM's
    /// weights given by `weight(name, rows, cols)`.
    private func languageModel(_ weight: (inout GraphBuilder, String, Int, Int) throws -> TensorID) throws -> [UInt8] {
        var b = GraphBuilder()
        let ids = try b.input(name: "ids", shape: [2, 3])
        let table = (0..<28).map { Float($0 % 9) * 0.125 - 0.5 }
        let e = try b.embedding(ids, table: try b.constant(name: "table", shape: [7, 4], values: table))
        let wIH = try weight(&b, "w_ih", 20, 4), wHH = try weight(&b, "w_hh", 20, 5)
        let bias = try b.constant(name: "b", shape: [20], values: (0..<20).map { Float($0) * 0.01 - 0.1 })
        let h = try b.lstm(e, weightIH: wIH, weightHH: wHH, biasIH: bias, biasHH: bias)
        let rows = try b.reshape(h, shape: [6, 5])
        let head = try b.constant(name: "head", shape: [7, 5], values: (0..<35).map { Float($0 % 11) * 0.1 - 0.5 })
        try b.output(try b.dense(rows, weight: head))
        return try b.serialize()
    }

    /// Weight-only int8 (docs/FORMAT.md, "Recurrent ops"): i8 W_ih and W_hh with one scale per row run
    /// exactly like f32 weights holding `scale[row] * q`; the file stays 1.2 and is smaller.
    @Test func int8WeightsRunLikeTheirDequantizedValues() throws {
        func quantized(_ rows: Int, _ cols: Int, seed: Int) -> (q: [Int8], scales: [Float]) {
            var q = (0..<rows * cols).map { Int8(($0 * 37 + seed) % 255 - 127) }
            q[0] = -127
            q[q.count - 1] = 127
            return (q, (0..<rows).map { Float(1 + ($0 + seed) % 5) * 0.004 })
        }
        let weights = ["w_ih": quantized(20, 4, seed: 3), "w_hh": quantized(20, 5, seed: 11)]
        #expect(weights.values.allSatisfy { $0.q.contains(-127) && $0.q.contains(127) && !$0.q.contains(-128) })
        let int8 = try languageModel { b, name, rows, cols in
            let w = weights[name]!
            return try b.constant(name: name, shape: [rows, cols], values: w.q,
                                  quantization: .perChannel(axis: 0, scales: w.scales,
                                                            zeroPoints: [Int32](repeating: 0, count: rows)))
        }
        let float = try languageModel { b, name, rows, cols in
            let w = weights[name]!
            let values = w.q.indices.map { w.scales[$0 / cols] * Float(w.q[$0]) }
            return try b.constant(name: name, shape: [rows, cols], values: values)
        }
        #expect(int8[10] == 2 && float[10] == 2)
        #expect(int8.count < float.count)
        let ids: [Float] = [0, 3, 6, 2, 2, 5]
        let got = try Session(model: try Model(bytes: int8)).run([ids])[0]
        let want = try Session(model: try Model(bytes: float)).run([ids])[0]
        #expect(got.count == 42 && want.count == 42)
        #expect(zip(got, want).allSatisfy { abs($0 - $1) <= 1e-6 }, "\(got) vs \(want)")
        #expect(Set(want).count > 10)  // the comparison is not between constant outputs
    }

    @Test func badInt8WeightsAreRefusedByName() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [2, 3, 4])
        let wIH = try b.constant(name: "w_ih", shape: [20, 4], values: Self.zeros(80))
        func int8(_ name: String, _ values: [Int8], _ quantization: Quantization) throws -> TensorID {
            try b.constant(name: name, shape: [20, 5], values: values, quantization: quantization)
        }
        let ones = [Int8](repeating: 1, count: 100), zeros = [Int32](repeating: 0, count: 20)
        let perColumn = try int8("per_column", ones, .perChannel(axis: 1, scales: [Float](repeating: 0.1, count: 5),
                                                                  zeroPoints: [Int32](repeating: 0, count: 5)))
        let offset = try int8("offset", ones, .perTensor(scale: 0.1, zeroPoint: 3))
        let minus128 = try int8("minus128", [1, -128] + ones.dropFirst(2), .perTensor(scale: 0.1, zeroPoint: 0))
        let unsigned = try b.constant(name: "unsigned", shape: [20, 5], values: [UInt8](repeating: 1, count: 100),
                                      quantization: .perChannel(axis: 0, scales: [Float](repeating: 0.1, count: 20),
                                                                zeroPoints: zeros))
        func message(_ weightHH: TensorID) -> String {
            do { _ = try b.lstm(x, weightIH: wIH, weightHH: weightHH) } catch { return "\(error)" }
            return "nothing thrown"
        }
        #expect(message(perColumn).contains(
            "lstm 'lstm_0': int8 W_hh 'per_column' must have one scale per row (per-channel on axis 0, 20 scales) "
                + "or one per tensor; has 5 on axis 1"))
        #expect(message(offset).contains("int8 W_hh 'offset' has zero point 3; int8 weights have zero points 0"))
        #expect(message(minus128).contains("int8 W_hh 'minus128' holds -128 at element 1"))
        #expect(message(unsigned).contains("W_hh 'unsigned' is u8; recurrent weights are f32 or i8"))
        #expect(b.nodes.isEmpty)
    }
}
