import Testing
@testable import DLExport

/// Pins the on-disk layout byte for byte. The expected bytes are written out
/// by hand from docs/FORMAT.md (and the CRCs computed with zlib), never
/// produced by the writer, so a layout change cannot go unnoticed.
@Suite struct LayoutTests {
    /// x [1,2] -> dense(w [1,2] = [1, 2], no bias) -> y [1,1]; META model.name = "t".
    static func tinyModel() throws -> [UInt8] {
        var b = GraphBuilder()
        b.setMetadata(.string("t"), for: .modelName)
        let x = try b.input(name: "x", shape: [1, 2])
        let w = try b.constant(name: "w", shape: [1, 2], values: [1, 2])
        let y = try b.dense(x, weight: w, name: "y")
        try b.output(y)
        return try b.serialize()
    }

    static let expectedMeta: [UInt8] = [
        0x01, 0x00, 0x00, 0x00,                                      // entry_count 1
        0x0A, 0x00, 0x00, 0x00,                                      // key length 10
        0x6D, 0x6F, 0x64, 0x65, 0x6C, 0x2E, 0x6E, 0x61, 0x6D, 0x65,  // "model.name"
        0x03, 0x00, 0x00, 0x00,                                      // type 3 (string)
        0x01, 0x00, 0x00, 0x00, 0x74,                                // "t"
    ]

    static let expectedTensors: [UInt8] = [
        0x03, 0x00, 0x00, 0x00,                          // tensor_count 3
        // x: f32, rank 2, no quantization, not constant, [1, 2]
        0x01, 0x00, 0x00, 0x00, 0x78,
        0x01, 0x02, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
        // w: f32, rank 2, no quantization, constant, [1, 2], data at 0, 8 bytes
        0x01, 0x00, 0x00, 0x00, 0x77,
        0x01, 0x02, 0x00, 0x01,
        0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        // y: f32, rank 2, [1, 1]
        0x01, 0x00, 0x00, 0x00, 0x79,
        0x01, 0x02, 0x00, 0x00,
        0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
    ]

    static let expectedGraph: [UInt8] = [
        0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 1 input: tensor 0
        0x01, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00,  // 1 output: tensor 2
        0x01, 0x00, 0x00, 0x00,                          // 1 node
        0x03, 0x00, 0x01, 0x00,                          // op 3 (dense), version 1
        0x03, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // 3 inputs, 1 output, 0 attrs
        0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0xFF, 0xFF, 0xFF, 0xFF,  // x, w, no bias
        0x02, 0x00, 0x00, 0x00,                          // -> y
    ]

    @Test func header() throws {
        let file = try Self.tinyModel()
        // header 64 + table 4 * 32 = 192; META 27, TENSORS 71, GRAPH 52 -> 342; DATA at 384, 8 bytes.
        #expect(file.count == 392)
        #expect(file.slice(0, 8) == [0x89, 0x44, 0x4C, 0x52, 0x54, 0x0D, 0x0A, 0x1A])
        #expect(file.slice(8, 4) == [0x01, 0x00, 0x00, 0x00])                          // version 1.0
        #expect(file.slice(12, 4) == [0x04, 0x03, 0x02, 0x01])                         // endian tag
        #expect(file.slice(16, 8) == [0x88, 0x01, 0, 0, 0, 0, 0, 0])                   // file size 392
        #expect(file.slice(24, 8) == [0x40, 0, 0, 0, 0, 0, 0, 0])                      // table at 64
        #expect(file.slice(32, 4) == [0x04, 0, 0, 0])                                  // 4 sections
        #expect(file.slice(36, 4) == [0x1D, 0x6D, 0xBF, 0x41])                         // header CRC (zlib)
        #expect(file.slice(40, 24) == [UInt8](repeating: 0, count: 24))
        // And the CRC is what the spec defines: header with the field zeroed, then the table.
        var zeroed = file.slice(0, 192)
        zeroed.replaceSubrange(36..<40, with: [0, 0, 0, 0])
        #expect(CRC32.checksum(zeroed) == file.u32(at: 36))
    }

    @Test func sectionTableEntries() throws {
        let file = try Self.tinyModel()
        let expectedTable: [UInt8] = [
            // kind, flags, offset u64, size u64, crc, reserved
            0x01, 0, 0, 0, 0, 0, 0, 0, 0xC0, 0, 0, 0, 0, 0, 0, 0, 0x1B, 0, 0, 0, 0, 0, 0, 0, 0xDB, 0x1C, 0xE2, 0x2E, 0, 0, 0, 0,
            0x02, 0, 0, 0, 0, 0, 0, 0, 0xDB, 0, 0, 0, 0, 0, 0, 0, 0x47, 0, 0, 0, 0, 0, 0, 0, 0xBB, 0xBE, 0x57, 0x0C, 0, 0, 0, 0,
            0x03, 0, 0, 0, 0, 0, 0, 0, 0x22, 0x01, 0, 0, 0, 0, 0, 0, 0x34, 0, 0, 0, 0, 0, 0, 0, 0x40, 0x10, 0xB2, 0x42, 0, 0, 0, 0,
            0x04, 0, 0, 0, 0, 0, 0, 0, 0x80, 0x01, 0, 0, 0, 0, 0, 0, 0x08, 0, 0, 0, 0, 0, 0, 0, 0x76, 0xA5, 0x3F, 0x2E, 0, 0, 0, 0,
        ]
        #expect(file.slice(64, 128) == expectedTable)
        for entry in sectionTable(file) {
            #expect(CRC32.checksum(file.slice(entry.offset, entry.size)) == entry.crc, "section \(entry.kind)")
        }
    }

    @Test func sectionContents() throws {
        let file = try Self.tinyModel()
        #expect(file.slice(192, 27) == Self.expectedMeta)
        #expect(file.slice(219, 71) == Self.expectedTensors)
        #expect(file.slice(290, 52) == Self.expectedGraph)
        #expect(file.slice(342, 42) == [UInt8](repeating: 0, count: 42))  // gap before DATA is zero
        #expect(file.slice(384, 8) == [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0x40])  // 1.0f, 2.0f
    }

    @Test func serializationIsDeterministic() throws {
        #expect(try Self.tinyModel() == Self.tinyModel())
    }

    /// Constants of awkward sizes and types: DATA and every tensor in it start on a multiple of 64.
    @Test func dataAlignment() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 3])
        _ = try b.constant(name: "a", shape: [3], values: [1, 2, 3])
        _ = try b.constant(name: "b", shape: [5], values: [Int8](repeating: -1, count: 5),
                           quantization: .perTensor(scale: 0.5, zeroPoint: 0))
        _ = try b.constant(name: "c", shape: [17], values: (0..<17).map(Float.init))
        _ = try b.constant(name: "d", shape: [2], values: [UInt8]([7, 9]), quantization: .none)
        let y = try b.relu(x)
        try b.output(y)
        let file = try b.serialize()
        let table = sectionTable(file)
        let data = try #require(table.first(where: { $0.kind == 4 }))
        #expect(data.offset % 64 == 0)
        #expect(Int(file.u64(at: 16)) == file.count)
        #expect(data.offset + data.size == file.count)

        // Walk TENSORS (no quantization except "b", per-tensor).
        let tensors = try #require(section(file, kind: 2))
        var at = 4
        var ranges: [(name: String, offset: Int, size: Int)] = []
        for _ in 0..<Int(tensors.u32(at: 0)) {
            let nameLength = Int(tensors.u32(at: at))
            let name = String(decoding: tensors.slice(at + 4, nameLength), as: UTF8.self)
            at += 4 + nameLength
            let (rank, quantization, flags) = (Int(tensors[at + 1]), tensors[at + 2], tensors[at + 3])
            at += 4 + 4 * rank
            if quantization != 0 {
                let qcount = Int(tensors.u32(at: at + 4))
                at += 8 + 8 * qcount
            }
            if flags & 1 != 0 {
                ranges.append((name, Int(tensors.u64(at: at)), Int(tensors.u64(at: at + 8))))
                at += 16
            }
        }
        #expect(at == tensors.count)
        #expect(ranges.map(\.name) == ["a", "b", "c", "d"])
        #expect(ranges.map(\.size) == [12, 5, 68, 2])
        #expect(ranges.allSatisfy { $0.offset % 64 == 0 })
        #expect(ranges.map(\.offset) == [0, 64, 128, 256])
        let payload = file.slice(data.offset, data.size)
        #expect(payload.slice(64, 5) == [0xFF, 0xFF, 0xFF, 0xFF, 0xFF])
        #expect(payload.slice(12, 52) == [UInt8](repeating: 0, count: 52))  // gaps are zero
        #expect(payload.slice(256, 2) == [7, 9])
    }

    /// Quantization fields: axis, qcount, scales, zero points, in that order.
    @Test func quantizedTensorEncoding() throws {
        var b = GraphBuilder()
        _ = try b.constant(name: "q", shape: [2, 1], values: [Int8]([1, -2]),
                           quantization: .perChannel(axis: 0, scales: [0.5, 2], zeroPoints: [-3, 4]))
        let tensors = try #require(section(try b.modelFile.serialize(), kind: 2))
        let expected: [UInt8] = [
            0x01, 0x00, 0x00, 0x00,
            0x01, 0x00, 0x00, 0x00, 0x71,                    // "q"
            0x02, 0x02, 0x02, 0x01,                          // i8, rank 2, per-channel, constant
            0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,  // [2, 1]
            0x00, 0x00, 0x00, 0x00,                          // axis 0
            0x02, 0x00, 0x00, 0x00,                          // qcount 2
            0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x00, 0x40,  // scales 0.5, 2
            0xFD, 0xFF, 0xFF, 0xFF, 0x04, 0x00, 0x00, 0x00,  // zero points -3, 4
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // data offset 0
            0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // data size 2
        ]
        #expect(tensors == expected)
    }

    /// All metadata types, in insertion order; setting a key again replaces it in place.
    @Test func metadataEncoding() throws {
        var b = GraphBuilder()
        b.setMetadata(.i64(1), for: "a")
        b.setMetadata(.f64(1.0), for: "b")
        b.setMetadata(.i64Array([-1]), for: "c")
        b.setMetadata(.f64Array([]), for: "d")
        b.setMetadata(.stringArray(["x", ""]), for: "e")
        b.setMetadata(.i64(2), for: "a")
        let meta = try #require(section(try b.serialize(), kind: 1))
        let expected: [UInt8] = [
            0x05, 0, 0, 0,
            0x01, 0, 0, 0, 0x61, 0x01, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,                   // a: i64 2
            0x01, 0, 0, 0, 0x62, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xF0, 0x3F,                // b: f64 1.0
            0x01, 0, 0, 0, 0x63, 0x04, 0, 0, 0, 0x01, 0, 0, 0,
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,                                  // c: [-1]
            0x01, 0, 0, 0, 0x64, 0x05, 0, 0, 0, 0x00, 0, 0, 0,                               // d: []
            0x01, 0, 0, 0, 0x65, 0x06, 0, 0, 0, 0x02, 0, 0, 0, 0x01, 0, 0, 0, 0x78, 0, 0, 0, 0,  // e: ["x", ""]
        ]
        #expect(meta == expected)
    }

    /// SELFTEST: kind 5 with the optional flag, placed before DATA, values in graph-input order.
    @Test func selfTestSection() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2])
        let y = try b.relu(x)
        try b.output(y)
        try b.selfTest(inputs: [(x, [-1, 2])], outputs: [(y, [0, 2])], rtol: 0.5, atol: 0.25)
        let file = try b.serialize()
        let table = sectionTable(file)
        #expect(table.map(\.kind) == [1, 2, 3, 5, 4])
        #expect(table.map(\.flags) == [0, 0, 0, 1, 0])
        let expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x3F, 0x00, 0x00, 0x80, 0x3E,  // rtol 0.5, atol 0.25
            0x01, 0, 0, 0,                                  // 1 input
            0x00, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,       // tensor 0, 2 values
            0x00, 0x00, 0x80, 0xBF, 0x00, 0x00, 0x00, 0x40, // -1, 2
            0x01, 0, 0, 0,                                  // 1 output
            0x01, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,       // tensor 1, 2 values
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x40, // 0, 2
        ]
        #expect(section(file, kind: 5) == expected)
        // No constants: DATA is empty, still on a 64 boundary.
        let data = try #require(table.last)
        #expect(data.offset % 64 == 0 && data.size == 0)
    }

    /// Attributes: key, type, count, values; only non-default conv attributes are written.
    @Test func attributeEncoding() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 1, 4, 4])
        let w = try b.constant(name: "w", shape: [1, 1, 3, 3], values: [Float](repeating: 0, count: 9))
        let y = try b.conv2d(x, weight: w, stride: (2, 2), padding: (1, 1, 1, 1), activation: .leakyRelu(alpha: 0.5))
        try b.output(y)
        let node = try #require(b.nodes.first)
        #expect(node.attributes == [
            Attribute(.strides, .i64([2, 2])), Attribute(.pads, .i64([1, 1, 1, 1])),
            Attribute(.activation, .i64([2])), Attribute(.alpha, .f32([0.5])),
        ])
        let graph = try #require(section(try b.serialize(), kind: 3))
        // Node header at 20: op 1, version 1, 3 inputs, 1 output, 4 attributes; ids at 36..52.
        #expect(graph.slice(20, 16) == [0x01, 0, 0x01, 0, 0x03, 0, 0, 0, 0x01, 0, 0, 0, 0x04, 0, 0, 0])
        let attributes = graph.slice(52, graph.count - 52)
        let expected: [UInt8] = [
            0x01, 0, 0x01, 0, 0x02, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
            0x02, 0, 0x01, 0, 0x04, 0, 0, 0] + [UInt8]([0x01, 0, 0, 0, 0, 0, 0, 0]) + [0x01, 0, 0, 0, 0, 0, 0, 0]
            + [0x01, 0, 0, 0, 0, 0, 0, 0] + [0x01, 0, 0, 0, 0, 0, 0, 0] + [
            0x05, 0, 0x01, 0, 0x01, 0, 0, 0, 0x02, 0, 0, 0, 0, 0, 0, 0,
            0x06, 0, 0x02, 0, 0x01, 0, 0, 0, 0x00, 0x00, 0x00, 0x3F,
        ]
        #expect(attributes == expected)
    }
}
