#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DLExport
import DLRuntime
import Testing

/// Loading, validation, metadata, self-test and session behaviour of the
/// Swift wrapper over the C runtime.
@Suite struct ModelTests {
    /// x [1, 4] -> dense(w [2, 4]) + bias -> relu -> y [1, 2].
    static func denseModel() throws -> (builder: GraphBuilder, x: TensorID, y: TensorID) {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 4])
        let w = try b.constant(name: "w", shape: [2, 4], values: [1, 0, -1, 2, 0.5, 0.5, 0.5, 0.5])
        let bias = try b.constant(name: "b", shape: [2], values: [0, -1])
        let y = try b.dense(x, weight: w, bias: bias, activation: .relu, name: "y")
        try b.output(y)
        return (b, x, y)
    }

    // [1, 2, 3, 4]: 1 - 3 + 8 = 6; 0.5 * 10 - 1 = 4.
    static let input: [Float] = [1, 2, 3, 4]
    static let expected: [Float] = [6, 4]

    @Test func tensorInfo() throws {
        let model = try load(try Self.denseModel().builder)
        #expect(model.inputs == [TensorInfo(name: "x", dtype: .f32, shape: [1, 4])])
        #expect(model.outputs == [TensorInfo(name: "y", dtype: .f32, shape: [1, 2])])
        #expect(model.nodeCount == 1)
        #expect(model.nodeOp(at: 0) == "dense")
        #expect(model.nodeOp(at: 1) == nil)
        #expect(model.tensorCount == 4)
        #expect(try model.tensorInfo(at: 1).name == "w")
        #expect(throws: DLRuntimeError.self) { try model.tensorInfo(at: 4) }
    }

    @Test func quantizedConstantInfo() throws {
        var (b, _, _) = try Self.denseModel()
        _ = try b.constant(name: "q", shape: [2, 3], values: [Int8](repeating: 1, count: 6),
                           quantization: .perChannel(axis: 0, scales: [0.5, 0.25], zeroPoints: [1, -1]))
        let model = try load(b)
        let q = try model.tensorInfo(at: 4)
        #expect(q == TensorInfo(name: "q", dtype: .i8, shape: [2, 3],
                                quantization: .perChannel(axis: 0, scales: [0.5, 0.25], zeroPoints: [1, -1])))
    }

    @Test func runAndBatchOverride() throws {
        let model = try load(try Self.denseModel().builder)
        #expect(try Session(model: model).run([Self.input]) == [Self.expected])
        let batched = try Session(model: model, threads: 2, batch: 3)
        #expect(batched.batch == 3)
        #expect(batched.inputs.first?.shape == [3, 4])
        #expect(batched.outputs.first?.shape == [3, 2])
        let rows: [Float] = Self.input + [0, 0, 0, 0] + [-1, -2, -3, -4]
        // Row 2: -1 + 3 - 8 = -6 -> 0; 0.5 * -10 - 1 = -6 -> 0.
        #expect(try batched.run([rows]) == [Self.expected + [0, 0] + [0, 0]])
    }

    @Test func wrongInputsAreRefused() throws {
        let session = try Session(model: try load(try Self.denseModel().builder))
        expectStatus(.invalidArgument) { _ = try session.run([]) }
        let message = expectStatus(.shape) { _ = try session.run([[1, 2, 3]]) }
        print("wrong input size:", message)
        #expect(throws: DLRuntimeError.self) { try Session(model: try load(try Self.denseModel().builder), threads: 0) }
    }

    /// The session's strong reference keeps the model (and its zero-copy bytes) alive.
    @Test func sessionKeepsModelAlive() throws {
        weak var weakModel: Model?
        let session: Session = try {
            let model = try load(try Self.denseModel().builder)
            weakModel = model
            return try Session(model: model)
        }()
        #expect(weakModel != nil)
        #expect(try session.run([Self.input]) == [Self.expected])
    }

    @Test func loadFromFile() throws {
        var template = Array("/tmp/dlruntime-test-XXXXXX".utf8CString)
        try #require(template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) } != nil)
        let directory = String(decoding: template.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let path = "\(directory)/dense.dlrt"
        defer {
            unlink(path)
            rmdir(directory)
        }
        try Self.denseModel().builder.write(to: path)
        let model = try Model(path: path)
        #expect(try Session(model: model).run([Self.input]) == [Self.expected])
        let message = expectStatus(.io) { _ = try Model(path: "\(directory)/missing.dlrt") }
        print("missing file:", message)
    }

    @Test func metadataRoundTrips() throws {
        var (b, _, _) = try Self.denseModel()
        b.setMetadata(.string("dense-test"), for: .modelName)
        b.setMetadata(.string("dlexport 0.1.0"), for: .modelProducer)
        b.setMetadata(.stringArray(["cat", "dög", ""]), for: .labels)
        b.setMetadata(.f64Array([0, 1]), for: .inputPixelRange)
        b.setMetadata(.f64Array([]), for: .inputMean)
        b.setMetadata(.i64(256), for: .inputResizeShorter)
        b.setMetadata(.f64(-0.125), for: "custom.f64")
        b.setMetadata(.i64Array([Int64.min, -1, Int64.max]), for: "custom.i64s")
        b.setMetadata(.string(""), for: "custom.empty")
        let model = try load(b)
        #expect(model.metadata.map(\.key) == [
            "model.name", "model.producer", "labels", "input.pixel_range", "input.mean", "input.resize_shorter",
            "custom.f64", "custom.i64s", "custom.empty",
        ])
        #expect(model.string(MetadataKey.modelName.rawValue) == "dense-test")
        #expect(model.metadata("model.producer") == .string("dlexport 0.1.0"))
        #expect(model.strings("labels") == ["cat", "dög", ""])
        #expect(model.doubles("input.pixel_range") == [0, 1])
        #expect(model.doubles("input.mean") == [])
        #expect(model.int("input.resize_shorter") == 256)
        #expect(model.double("custom.f64") == -0.125)
        #expect(model.ints("custom.i64s") == [Int64.min, -1, Int64.max])
        #expect(model.string("custom.empty") == "")
        #expect(model.metadata("absent") == nil)
        #expect(model.string("labels") == nil)  // wrong type
    }

    @Test func selfTestPassesAndFails() throws {
        var (b, x, y) = try Self.denseModel()
        expectStatus(.notFound) { try load(b).selfTest() }

        try b.selfTest(inputs: [(x, Self.input)], outputs: [(y, Self.expected)], rtol: 1e-5, atol: 1e-6)
        let error = try load(b).selfTest()
        #expect(error <= 1)

        try b.selfTest(inputs: [(x, Self.input)], outputs: [(y, [6, 4.5])], rtol: 1e-5, atol: 1e-6)
        let failing = try load(b)
        let message = expectStatus(.selfTest) { try failing.selfTest() }
        print("self-test failure:", message)
        // The catch-clause pattern works too.
        do {
            try failing.selfTest()
        } catch DLRuntimeError.selfTest {
        } catch {
            Issue.record("unexpected \(error)")
        }
        // A loose tolerance accepts the same vector.
        try b.selfTest(inputs: [(x, Self.input)], outputs: [(y, [6, 4.5])], rtol: 0.2, atol: 0)
        #expect(try load(b).selfTest() <= 1)
    }

    @Test func corruptionIsDetected() throws {
        var (b, _, _) = try Self.denseModel()
        b.setMetadata(.string("corrupt me"), for: .modelName)
        let bytes = try b.serialize()
        #expect(throws: Never.self) { try Model(bytes: bytes) }
        func table(_ kind: UInt32) -> (offset: Int, size: Int) {
            for index in 0..<Int(bytes[32]) {
                let at = 64 + 32 * index
                let read = { (o: Int, n: Int) in (0..<n).reduce(0) { $0 | Int(bytes[at + o + $1]) << (8 * $1) } }
                if read(0, 4) == Int(kind) { return (read(8, 8), read(16, 8)) }
            }
            return (0, 0)
        }

        // A flipped bit inside TENSORS: its CRC no longer matches.
        var flipped = bytes
        flipped[table(2).offset + 6] ^= 0x01
        let message = expectStatus(.checksum) { _ = try Model(bytes: flipped) }
        print("flipped TENSORS byte:", message)

        // A flipped magic byte.
        var badMagic = bytes
        badMagic[1] ^= 0x20
        expectStatus(.format) { _ = try Model(bytes: badMagic) }

        // Truncated by one byte: the header's file size no longer matches.
        expectStatus(.format) { _ = try Model(bytes: Array(bytes.dropLast())) }

        // A flipped weight: refused by default, accepted when the DATA CRC is skipped.
        var badWeight = bytes
        badWeight[table(4).offset] ^= 0x01
        expectStatus(.checksum) { _ = try Model(bytes: badWeight) }
        #expect(throws: Never.self) { try Model(bytes: badWeight, verifyDataChecksum: false) }

        // Unsupported major version (with a correct header CRC it is the version that is refused).
        var newer = bytes
        newer[8] = 2
        expectStatus(.unsupported) { _ = try Model(bytes: Self.refreshHeaderCRC(newer)) }
    }

    /// Recomputes the header CRC after a deliberate header edit.
    static func refreshHeaderCRC(_ file: [UInt8]) -> [UInt8] {
        var copy = file
        let tableEnd = 64 + 32 * Int(file[32])
        copy.replaceSubrange(36..<40, with: [0, 0, 0, 0])
        let crc = CRC32.checksum(copy[0..<tableEnd])
        copy.replaceSubrange(36..<40, with: (0..<4).map { UInt8(truncatingIfNeeded: crc >> (8 * UInt32($0))) })
        return copy
    }

    /// Graphs built with the raw escape hatch, which the loader must refuse.
    @Test func invalidGraphsAreRefused() throws {
        var unknown = GraphBuilder()
        let x = try unknown.input(name: "x", shape: [1, 4])
        let y = try unknown.tensor(name: "y", shape: [1, 4])
        unknown.node(op: OpCode(rawValue: 200), inputs: [x], outputs: [y])
        try unknown.output(y)
        let message = expectStatus(.unsupported) { _ = try load(unknown) }
        print("unknown op:", message)

        var version = GraphBuilder()
        let vx = try version.input(name: "x", shape: [1, 4])
        let vy = try version.tensor(name: "y", shape: [1, 4])
        version.node(op: .relu, version: 2, inputs: [vx], outputs: [vy])
        try version.output(vy)
        expectStatus(.unsupported) { _ = try load(version) }

        var wrongShape = GraphBuilder()
        let sx = try wrongShape.input(name: "x", shape: [1, 4])
        let sy = try wrongShape.tensor(name: "y", shape: [1, 5])
        wrongShape.node(op: .relu, inputs: [sx], outputs: [sy])
        try wrongShape.output(sy)
        #expect(throws: DLRuntimeError.self) { _ = try load(wrongShape) }

        var dangling = GraphBuilder()
        let dx = try dangling.input(name: "x", shape: [1, 4])
        let dy = try dangling.tensor(name: "y", shape: [1, 4])
        dangling.node(op: .add, inputs: [dx, TensorID(rawValue: 7)], outputs: [dy])
        try dangling.output(dy)
        expectStatus(.format) { _ = try load(dangling) }
    }

    @Test func runtimeVersion() {
        #expect(Runtime.abiVersion == Runtime.headerABIVersion)
        #expect(!Runtime.version.isEmpty)
        #expect(["avx512", "avx2", "neon", "scalar"].contains(Runtime.isa))
        #expect(DLRuntimeError.Status.checksum.name == "DLRT_ERR_CHECKSUM")
    }
}
