extension ModelFile {
    /// Reads a `.dlrt` file's bytes back into the value the writer started
    /// from: what `dlexport --inspect` shows. Every read is bounds-checked
    /// and every count checked against the bytes left, so hostile bytes give
    /// an `ExportError.invalidArgument` naming the section and offset, never
    /// a trap. The full semantic validation (shapes, op attributes, graph
    /// order) is the C runtime's: load the file with `DLRuntime.Model`
    /// first when it matters. Checksums are verified here too.
    public init(decoding bytes: [UInt8]) throws {
        var decoder = ModelFileDecoder(bytes: bytes)
        self = try decoder.decode()
    }
}

/// A bounds-checked little-endian reader over the whole file.
struct ModelFileDecoder {
    let bytes: [UInt8]
    private var offset = 0
    private var end = 0
    private var part = "header"

    init(bytes: [UInt8]) {
        self.bytes = bytes
        end = bytes.count
    }

    mutating func decode() throws -> ModelFile {
        try need(ModelFormat.headerSize)
        guard Array(bytes[0..<8]) == ModelFormat.magic else { throw malformed("not a .dlrt file (bad magic)") }
        offset = 8
        let major = try u16()
        _ = try u16()
        guard major == ModelFormat.majorVersion else { throw malformed("format major version \(major), this reader knows 1") }
        guard try u32() == ModelFormat.endianTag else { throw malformed("bad endianness tag") }
        guard try u64() == UInt64(bytes.count) else { throw malformed("the header's file size is not the file's") }
        let tableOffset = Int(clamping: try u64())
        let sectionCount = Int(try u32())
        let storedHeaderCRC = try u32()
        guard sectionCount <= 16 else { throw malformed("\(sectionCount) sections, at most 16") }
        let tableEnd = tableOffset + sectionCount * ModelFormat.sectionEntrySize
        guard tableOffset == ModelFormat.sectionTableOffset, tableEnd <= bytes.count else {
            throw malformed("the section table does not follow the header")
        }
        var header = Array(bytes[0..<tableEnd])
        header.replaceSubrange(ModelFormat.headerCRCOffset..<(ModelFormat.headerCRCOffset + 4), with: [0, 0, 0, 0])
        guard CRC32.checksum(header) == storedHeaderCRC else { throw malformed("header checksum mismatch") }
        var sections: [UInt32: Range<Int>] = [:]
        for index in 0..<sectionCount {
            offset = tableOffset + index * ModelFormat.sectionEntrySize
            part = "section table entry \(index)"
            let kind = try u32()
            _ = try u32()
            let start = Int(clamping: try u64()), size = Int(clamping: try u64())
            let crc = try u32()
            guard start <= bytes.count, size <= bytes.count - start else { throw malformed("section outside the file") }
            guard CRC32.checksum(Array(bytes[start..<(start + size)])) == crc else {
                throw malformed("section kind \(kind): checksum mismatch")
            }
            sections[kind] = start..<(start + size)
        }
        // Bytes outside the header, the table and the sections are padding, and must be zero.
        var covered = [0..<tableEnd] + sections.values.sorted { $0.lowerBound < $1.lowerBound }
        covered.append(bytes.count..<bytes.count)
        var position = 0
        for range in covered {
            guard range.lowerBound >= position else { throw malformed("sections overlap") }
            guard bytes[position..<range.lowerBound].allSatisfy({ $0 == 0 }) else { throw malformed("nonzero padding before byte \(range.lowerBound)") }
            position = range.upperBound
        }
        func section(_ kind: SectionKind) throws -> Range<Int> {
            guard let range = sections[kind.rawValue] else { throw ExportError.invalidArgument("the file has no \(kind) section") }
            return range
        }
        var file = ModelFile()
        let data = try section(.data)
        enter(try section(.meta), "META")
        file.metadata = try metadata()
        try finish()
        enter(try section(.tensors), "TENSORS")
        file.tensors = try tensors(data: data)
        try finish()
        enter(try section(.graph), "GRAPH")
        (file.inputs, file.outputs, file.nodes) = try graph()
        try finish()
        if let selfTest = sections[SectionKind.selfTest.rawValue] {
            enter(selfTest, "SELFTEST")
            file.selfTest = try self.selfTest()
            try finish()
        }
        return file
    }

    // MARK: - sections

    private mutating func metadata() throws -> [MetadataEntry] {
        try list(minimumSize: 8) {
            let key = try $0.string()
            let type = try $0.u32()
            let value: MetadataValue
            switch type {
            case 1: value = .i64(Int64(bitPattern: try $0.u64()))
            case 2: value = .f64(Double(bitPattern: try $0.u64()))
            case 3: value = .string(try $0.string())
            case 4: value = .i64Array(try $0.list(minimumSize: 8) { Int64(bitPattern: try $0.u64()) })
            case 5: value = .f64Array(try $0.list(minimumSize: 8) { Double(bitPattern: try $0.u64()) })
            case 6: value = .stringArray(try $0.list(minimumSize: 4) { try $0.string() })
            default: throw $0.malformed("metadata '\(key)': unknown type \(type)")
            }
            return MetadataEntry(key: MetadataKey(key), value: value)
        }
    }

    private mutating func tensors(data: Range<Int>) throws -> [TensorDefinition] {
        try list(minimumSize: 8) { r in
            let name = try r.string()
            guard let dtype = DType(rawValue: try r.u8()) else { throw r.malformed("tensor '\(name)': unknown dtype") }
            let rank = Int(try r.u8()), quantizationCode = try r.u8(), flags = try r.u8()
            guard rank <= ModelFormat.Caps.rank else { throw r.malformed("tensor '\(name)': rank \(rank)") }
            let shape = try (0..<rank).map { _ in Int(try r.u32()) }
            var quantization = Quantization.none
            if quantizationCode != 0 {
                let axis = Int(Int32(bitPattern: try r.u32()))
                let scales = try r.list(minimumSize: 8) { Float(bitPattern: try $0.u32()) }
                let zeroPoints = try scales.map { _ in Int32(bitPattern: try r.u32()) }
                quantization = quantizationCode == 1 ? .perTensor(scale: scales.first ?? 0, zeroPoint: zeroPoints.first ?? 0)
                                                     : .perChannel(axis: axis, scales: scales, zeroPoints: zeroPoints)
            }
            var tensor = TensorDefinition(name: name, dtype: dtype, shape: shape, quantization: quantization)
            if flags & 1 != 0 {
                let start = Int(clamping: try r.u64()), size = Int(clamping: try r.u64())
                guard start <= data.count, size <= data.count - start else {
                    throw r.malformed("tensor '\(name)': data outside DATA")
                }
                tensor.data = Array(r.bytes[(data.lowerBound + start)..<(data.lowerBound + start + size)])
            }
            return tensor
        }
    }

    private mutating func graph() throws -> ([TensorID], [TensorID], [NodeDefinition]) {
        let inputs = try list(minimumSize: 4) { TensorID(rawValue: try $0.u32()) }
        let outputs = try list(minimumSize: 4) { TensorID(rawValue: try $0.u32()) }
        let nodes = try list(minimumSize: 16) { r -> NodeDefinition in
            let op = OpCode(rawValue: try r.u16()), version = try r.u16()
            let inputCount = Int(try r.u32()), outputCount = Int(try r.u32()), attributeCount = Int(try r.u32())
            try r.need((inputCount + outputCount) * 4 + attributeCount * 8)
            let inputs = try (0..<inputCount).map { _ -> TensorID? in
                let raw = try r.u32()
                return raw == ModelFormat.absentInput ? nil : TensorID(rawValue: raw)
            }
            let outputs = try (0..<outputCount).map { _ in TensorID(rawValue: try r.u32()) }
            let attributes = try (0..<attributeCount).map { _ -> Attribute in
                let key = AttributeKey(rawValue: try r.u16())
                let type = try r.u16()
                let count = Int(try r.u32())
                try r.need(count * (type == 1 ? 8 : 4))
                switch type {
                case 1: return Attribute(key, .i64(try (0..<count).map { _ in Int64(bitPattern: try r.u64()) }))
                case 2: return Attribute(key, .f32(try (0..<count).map { _ in Float(bitPattern: try r.u32()) }))
                default: throw r.malformed("attribute \(key.rawValue): unknown type \(type)")
                }
            }
            return NodeDefinition(op: op, version: version, inputs: inputs, outputs: outputs, attributes: attributes)
        }
        return (inputs, outputs, nodes)
    }

    private mutating func selfTest() throws -> SelfTestVector {
        let rtol = Float(bitPattern: try u32()), atol = Float(bitPattern: try u32())
        var lists: [[SelfTestVector.Entry]] = []
        for _ in 0..<2 {
            lists.append(try list(minimumSize: 12) { r in
                let tensor = TensorID(rawValue: try r.u32())
                let count = Int(clamping: try r.u64())
                guard count <= r.remaining / 4 else { throw r.malformed("self-test entry of \(count) values") }
                return SelfTestVector.Entry(tensor: tensor, values: try (0..<count).map { _ in Float(bitPattern: try r.u32()) })
            })
        }
        return SelfTestVector(rtol: rtol, atol: atol, inputs: lists[0], outputs: lists[1])
    }

    // MARK: - primitives

    private var remaining: Int { end - offset }

    private mutating func enter(_ range: Range<Int>, _ name: String) {
        (offset, end, part) = (range.lowerBound, range.upperBound, name)
    }

    /// A section's parser must consume it exactly.
    private func finish() throws {
        guard offset == end else { throw malformed("\(end - offset) bytes left over") }
    }

    private func malformed(_ reason: String) -> ExportError {
        .invalidArgument("malformed .dlrt: \(part) at byte \(offset): \(reason)")
    }

    private func need(_ count: Int) throws {
        guard count >= 0, count <= remaining else { throw malformed("needs \(count) bytes, \(remaining) remain") }
    }

    private mutating func integer<T: FixedWidthInteger>(_: T.Type) throws -> T {
        try need(MemoryLayout<T>.size)
        var value: T = 0
        for i in 0..<MemoryLayout<T>.size { value |= T(bytes[offset + i]) << (8 * i) }
        offset += MemoryLayout<T>.size
        return value
    }

    private mutating func u8() throws -> UInt8 { try integer(UInt8.self) }
    private mutating func u16() throws -> UInt16 { try integer(UInt16.self) }
    private mutating func u32() throws -> UInt32 { try integer(UInt32.self) }
    private mutating func u64() throws -> UInt64 { try integer(UInt64.self) }

    private mutating func string() throws -> String {
        let count = Int(try u32())
        try need(count)
        defer { offset += count }
        return String(decoding: bytes[offset..<(offset + count)], as: UTF8.self)
    }

    /// A u32 count, refused unless `count * minimumSize` bytes remain, then that many items.
    private mutating func list<T>(minimumSize: Int, _ item: (inout ModelFileDecoder) throws -> T) throws -> [T] {
        let count = Int(try u32())
        guard count <= remaining / minimumSize else {
            throw malformed("\(count) entries declared, \(remaining) bytes remain")
        }
        var items: [T] = []
        items.reserveCapacity(count)
        for _ in 0..<count { items.append(try item(&self)) }
        return items
    }
}
