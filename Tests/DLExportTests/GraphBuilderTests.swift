import Testing
@testable import DLExport

/// Shape inference and the builder's checks. Windowed shapes are checked
/// against the formulas of docs/FORMAT.md worked by hand.
@Suite struct GraphBuilderTests {
    static func zeros(_ count: Int) -> [Float] { [Float](repeating: 0, count: count) }

    @Test func conv2dShapes() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [2, 4, 9, 7])
        let w = try b.constant(name: "w", shape: [6, 2, 3, 3], values: Self.zeros(108))
        let bias = try b.constant(name: "bias", shape: [6], values: Self.zeros(6))
        // Ho = (9 + 1 + 1 - 1*(3-1) - 1)/1 + 1 = 9; Wo = 7.
        let y0 = try b.conv2d(x, weight: w, bias: bias, padding: (1, 1, 1, 1), groups: 2)
        #expect(try b.shape(of: y0) == [2, 6, 9, 7])
        // Stride 2, asymmetric pads: Ho = (9 + 0 + 1 - 2 - 1)/2 + 1 = 4; Wo = (7 + 1 + 0 - 2 - 1)/2 + 1 = 3.
        let strided = try b.conv2d(x, weight: w, stride: (2, 2), padding: (0, 1, 1, 0), groups: 2)
        #expect(try b.shape(of: strided) == [2, 6, 4, 3])
        // Dilation 2: Ho = (9 - 2*2 - 1)/1 + 1 = 5; Wo = 3.
        let y1 = try b.conv2d(x, weight: w, dilation: (2, 2), groups: 2)
        #expect(try b.shape(of: y1) == [2, 6, 5, 3])
    }

    @Test func conv2dRejectsImpossibleShapes() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 1, 2, 2])
        let w = try b.constant(name: "w", shape: [1, 1, 3, 3], values: Self.zeros(9))
        #expect(throws: ExportError.self) { try b.conv2d(x, weight: w) }  // 3x3 kernel over 2x2, no padding
        let w2 = try b.constant(name: "w2", shape: [1, 2, 1, 1], values: Self.zeros(2))
        #expect(throws: ExportError.self) { try b.conv2d(x, weight: w2) }  // channel mismatch
        let notConstant = try b.input(name: "nc", shape: [1, 1, 1, 1])
        #expect(throws: ExportError.self) { try b.conv2d(x, weight: notConstant) }
        // The failed attempts left no trace.
        #expect(b.nodes.isEmpty && b.tensors.count == 4)
    }

    @Test func errorMessagesNameTheNode() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 1, 2, 2])
        let w = try b.constant(name: "w", shape: [1, 1, 3, 3], values: Self.zeros(9))
        do {
            _ = try b.conv2d(x, weight: w, name: "stem")
            Issue.record("expected a shape error")
        } catch let error as ExportError {
            guard case .shape(let message) = error else { Issue.record("wrong case: \(error)"); return }
            #expect(message.contains("conv2d 'stem'"))
        }
    }

    @Test func convTranspose2dShapes() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 4, 5, 5])
        let w = try b.constant(name: "w", shape: [4, 3, 3, 3], values: Self.zeros(108))
        // Ho = (5-1)*2 - 1 - 1 + 1*(3-1) + 1 + 1 = 10.
        let y2 = try b.convTranspose2d(x, weight: w, stride: (2, 2), padding: (1, 1, 1, 1), outputPadding: (1, 1))
        #expect(try b.shape(of: y2) == [1, 3, 10, 10])
        // Groups: M = 3 * 2.
        let y3 = try b.convTranspose2d(x, weight: w, groups: 2)
        #expect(try b.shape(of: y3) == [1, 6, 7, 7])
        // Output padding must be smaller than the stride or the dilation.
        #expect(throws: ExportError.self) { try b.convTranspose2d(x, weight: w, outputPadding: (1, 1)) }
    }

    @Test func poolShapes() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 3, 5, 5])
        let y4 = try b.maxPool2d(x, kernel: (2, 2))
        #expect(try b.shape(of: y4) == [1, 3, 2, 2])
        // ceil((5 - 2)/2) + 1 = 3, and the last window starts inside the input.
        let y5 = try b.maxPool2d(x, kernel: (2, 2), ceilMode: true)
        #expect(try b.shape(of: y5) == [1, 3, 3, 3])
        let y6 = try b.avgPool2d(x, kernel: (3, 3), stride: (1, 1), padding: (1, 1, 1, 1))
        #expect(try b.shape(of: y6) == [1, 3, 5, 5])
        // (5 + 0 + 1 - 2)/2 = 2 exactly, so ceil mode changes nothing: 3.
        let y7 = try b.avgPool2d(x, kernel: (2, 2), padding: (0, 0, 1, 1), ceilMode: true)
        #expect(try b.shape(of: y7) == [1, 3, 3, 3])
        let y8 = try b.globalAvgPool(x)
        #expect(try b.shape(of: y8) == [1, 3, 1, 1])
        #expect(throws: ExportError.self) { try b.maxPool2d(x, kernel: (6, 6)) }
        let pool = try #require(b.nodes.first)
        #expect(pool.attributes == [Attribute(.kernel, .i64([2, 2])), Attribute(.strides, .i64([2, 2]))])
    }

    /// PyTorch's ceil-mode rule: a last window that would start in the bottom/right padding is dropped.
    @Test func ceilModeDropsWindowStartingInPadding() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 1, 3, 3])
        // (3 + 1 + 1 - 2)/2 = 1.5 -> ceil 2 -> 3 windows, starting at padded rows 0, 2, 4. The third starts at
        // padded row 4 >= H + top = 4, i.e. entirely in the bottom padding, so PyTorch drops it -> 2.
        let y9 = try b.maxPool2d(x, kernel: (2, 2), padding: (1, 1, 1, 1), ceilMode: true)
        #expect(try b.shape(of: y9) == [1, 1, 2, 2])
    }

    @Test func denseAndActivations() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [3, 4])
        let w = try b.constant(name: "w", shape: [5, 4], values: Self.zeros(20))
        let y = try b.dense(x, weight: w, activation: .relu)
        #expect(try b.shape(of: y) == [3, 5])
        let y10 = try b.softmax(y)
        #expect(try b.shape(of: y10) == [3, 5])
        let y11 = try b.leakyRelu(y, alpha: 0.2)
        #expect(try b.shape(of: y11) == [3, 5])
        let y12 = try b.sigmoid(try b.tanh(y))
        #expect(try b.shape(of: y12) == [3, 5])
        #expect(throws: ExportError.self) { try b.softmax(y, axis: 2) }
        let wrong = try b.constant(name: "wrong", shape: [5, 3], values: Self.zeros(15))
        #expect(throws: ExportError.self) { try b.dense(x, weight: wrong) }
        let bias = try b.constant(name: "bias", shape: [4], values: Self.zeros(4))
        #expect(throws: ExportError.self) { try b.dense(x, weight: w, bias: bias) }
    }

    @Test func normalization() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2, 3, 3])
        let c = try b.constant(name: "c", shape: [2], values: [1, 1])
        let y13 = try b.batchNorm(x, scale: c, bias: c, mean: c, variance: c)
        #expect(try b.shape(of: y13) == [1, 2, 3, 3])
        let y14 = try b.lrn(x, size: 3)
        #expect(try b.shape(of: y14) == [1, 2, 3, 3])
        let c3 = try b.constant(name: "c3", shape: [3], values: [1, 1, 1])
        #expect(throws: ExportError.self) { try b.batchNorm(x, scale: c3, bias: c, mean: c, variance: c) }
    }

    @Test func tensorOps() throws {
        var b = GraphBuilder()
        let a = try b.input(name: "a", shape: [1, 2, 3, 4])
        let c = try b.input(name: "c", shape: [1, 5, 3, 4])
        let y15 = try b.concat([a, c])
        #expect(try b.shape(of: y15) == [1, 7, 3, 4])
        let y16 = try b.concat([a, a], axis: -1)
        #expect(try b.shape(of: y16) == [1, 2, 3, 8])
        #expect(b.nodes.last?.attributes == [Attribute(.axis, .i64([3]))])  // stored normalized
        #expect(throws: ExportError.self) { try b.concat([a, c], axis: 2) }
        #expect(throws: ExportError.self) { try b.concat([]) }
        let y17 = try b.add(a, a, activation: .relu)
        #expect(try b.shape(of: y17) == [1, 2, 3, 4])
        #expect(throws: ExportError.self) { try b.add(a, c) }
        let y18 = try b.reshape(a, shape: [0, -1])
        #expect(try b.shape(of: y18) == [1, 24])
        #expect(b.nodes.last?.attributes == [Attribute(.shape, .i64([0, -1]))])  // stored as given
        let y19 = try b.reshape(a, shape: [2, 3, 4])
        #expect(try b.shape(of: y19) == [2, 3, 4])
        #expect(throws: ExportError.self) { try b.reshape(a, shape: [5, -1]) }
        #expect(throws: ExportError.self) { try b.reshape(a, shape: [-1, -1]) }
        let y20 = try b.flatten(a)
        #expect(try b.shape(of: y20) == [1, 24])
        let y21 = try b.flatten(a, axis: 0)
        #expect(try b.shape(of: y21) == [1, 24])
        let y22 = try b.flatten(a, axis: 3)
        #expect(try b.shape(of: y22) == [6, 4])
        let y23 = try b.pad(a, pads: [0, 0, 1, 2, 0, 1, 3, 4], value: -1)
        #expect(try b.shape(of: y23) == [1, 3, 7, 10])
        #expect(throws: ExportError.self) { try b.pad(a, pads: [0, 0, 1, 1]) }
    }

    @Test func namesAndIds() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2])
        #expect(throws: ExportError.self) { try b.input(name: "x", shape: [1, 2]) }
        #expect(throws: ExportError.self) { try b.input(name: "", shape: [1, 2]) }
        #expect(throws: ExportError.self) { try b.input(name: "zero", shape: [1, 0]) }
        #expect(throws: ExportError.self) { try b.relu(TensorID(rawValue: 99)) }
        _ = try b.tensor(name: "relu_0", shape: [1, 2])  // occupies the default name
        let y = try b.relu(x)
        #expect(try b.definition(of: y).name == "relu_1")
        #expect(throws: ExportError.self) { try b.constant(name: "short", shape: [3], values: [1, 2]) }
        #expect(throws: ExportError.self) {
            try b.constant(name: "q", shape: [2], values: [Int8]([1, 2]),
                           quantization: .perChannel(axis: 0, scales: [1], zeroPoints: [0]))
        }
        #expect(throws: ExportError.self) {
            try b.constant(name: "q", shape: [2], values: [UInt8]([1, 2]), quantization: .perTensor(scale: 1, zeroPoint: -1))
        }
        #expect(throws: ExportError.self) {
            try b.constant(name: "q", shape: [2], values: [Int8]([1, 2]), quantization: .perTensor(scale: 0, zeroPoint: 0))
        }
    }

    @Test func selfTestChecks() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2])
        let y = try b.relu(x)
        try b.output(y)
        #expect(throws: ExportError.self) { try b.output(y) }
        #expect(throws: ExportError.self) { try b.selfTest(inputs: [(x, [1])], outputs: [(y, [1, 2])], rtol: 0, atol: 0) }
        #expect(throws: ExportError.self) { try b.selfTest(inputs: [], outputs: [(y, [1, 2])], rtol: 0, atol: 0) }
        #expect(throws: ExportError.self) { try b.selfTest(inputs: [(x, [1, 2])], outputs: [(x, [1, 2])], rtol: 0, atol: 0) }
        #expect(throws: ExportError.self) { try b.selfTest(inputs: [(x, [1, 2])], outputs: [(y, [1, 2])], rtol: -1, atol: 0) }
        try b.selfTest(inputs: [(x, [1, 2])], outputs: [(y, [1, 2])], rtol: 0, atol: 0)
        #expect(b.selfTestVector?.inputs.first?.values == [1, 2])
    }

    /// The escape hatch writes what it is given, invalid or not.
    @Test func rawNodes() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2])
        let y = try b.tensor(name: "y", shape: [1, 2])
        b.node(op: OpCode(rawValue: 999), version: 7, inputs: [x, nil, TensorID(rawValue: 42)], outputs: [y],
               attributes: [Attribute(.size, .f32([1]))])
        try b.output(y)
        let graph = try #require(section(try b.serialize(), kind: 3))
        #expect(graph.slice(20, 4) == [0xE7, 0x03, 0x07, 0x00])
        #expect(graph.slice(36, 12) == [0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 42, 0, 0, 0])
        #expect(graph.slice(52, 12) == [0x09, 0, 0x02, 0, 0x01, 0, 0, 0, 0x00, 0x00, 0x80, 0x3F])
    }

    @Test func metadataCapsAreChecked() throws {
        var b = GraphBuilder()
        b.setMetadata(.string("x"), for: MetadataKey(String(repeating: "k", count: 257)))
        #expect(throws: ExportError.self) { try b.serialize() }
        var c = GraphBuilder()
        c.setMetadata(.string("x"), for: "")
        #expect(throws: ExportError.self) { try c.serialize() }
        #expect(MetadataKey.labels.rawValue == "labels")
        #expect(MetadataKey.inputPixelRange.rawValue == "input.pixel_range")
    }
}
