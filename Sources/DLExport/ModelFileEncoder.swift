/// Lays a `ModelFile` out as bytes.
///
/// Layout choices (all allowed by docs/FORMAT.md, fixed here so files are
/// reproducible byte for byte): header, section table, then META, TENSORS,
/// GRAPH, SELFTEST (if any) packed back to back, then zero padding up to the
/// next multiple of 64, then DATA. DATA goes last because it is by far the
/// largest and the only one that needs alignment; every constant in it starts
/// at a multiple of 64 in tensor-table order, with zero gaps between.
struct ModelFileEncoder {
    let file: ModelFile

    private struct Section {
        var kind: SectionKind
        var optional: Bool
        var bytes: [UInt8]
    }

    func encode() throws -> [UInt8] {
        let (dataOffsets, data) = try layoutData()
        var sections = [
            Section(kind: .meta, optional: false, bytes: try encodeMeta()),
            Section(kind: .tensors, optional: false, bytes: try encodeTensors(dataOffsets: dataOffsets)),
            Section(kind: .graph, optional: false, bytes: try encodeGraph()),
        ]
        if let selfTest = file.selfTest {
            sections.append(Section(kind: .selfTest, optional: true, bytes: try encodeSelfTest(selfTest)))
        }
        sections.append(Section(kind: .data, optional: false, bytes: data))

        // Offsets: everything but DATA packed after the table; DATA on the next 64 boundary.
        let tableEnd = ModelFormat.sectionTableOffset + ModelFormat.sectionEntrySize * sections.count
        var offsets: [Int] = []
        var cursor = tableEnd
        for section in sections {
            if section.kind == .data { cursor = Self.align(cursor, to: ModelFormat.dataAlignment) }
            offsets.append(cursor)
            cursor += section.bytes.count
        }
        let fileSize = cursor

        var table = ByteWriter()
        for (section, offset) in zip(sections, offsets) {
            table.u32(section.kind.rawValue)
            table.u32(section.optional ? 1 : 0)
            table.u64(UInt64(offset))
            table.u64(UInt64(section.bytes.count))
            table.u32(CRC32.checksum(section.bytes))
            table.u32(0)
        }

        var header = ByteWriter()
        header.raw(ModelFormat.magic)
        header.u16(ModelFormat.majorVersion)
        header.u16(file.minorVersion)
        header.u32(ModelFormat.endianTag)
        header.u64(UInt64(fileSize))
        header.u64(UInt64(ModelFormat.sectionTableOffset))
        header.u32(UInt32(sections.count))
        header.u32(0)  // header CRC, patched below
        header.raw(repeatElement(0, count: 24))
        var headerCRC = CRC32()
        headerCRC.update(header.bytes)
        headerCRC.update(table.bytes)
        header.patchU32(headerCRC.value, at: ModelFormat.headerCRCOffset)

        var out = ByteWriter()
        out.reserve(fileSize)
        out.raw(header.bytes)
        out.raw(table.bytes)
        for (section, offset) in zip(sections, offsets) {
            out.raw(repeatElement(0, count: offset - out.count))
            out.raw(section.bytes)
        }
        return out.bytes
    }

    static func align(_ value: Int, to alignment: Int) -> Int {
        (value + alignment - 1) / alignment * alignment
    }

    // MARK: - sections

    private func encodeMeta() throws -> [UInt8] {
        var w = ByteWriter()
        w.u32(try Self.count(file.metadata.count, "metadata entries"))
        for entry in file.metadata {
            try writeString(entry.key.rawValue, to: &w, "metadata key")
            w.u32(entry.value.typeCode)
            switch entry.value {
            case .i64(let value): w.i64(value)
            case .f64(let value): w.f64(value)
            case .string(let value): try writeString(value, to: &w, "metadata '\(entry.key)'")
            case .i64Array(let values):
                w.u32(try Self.count(values.count, "metadata '\(entry.key)' array"))
                values.forEach { w.i64($0) }
            case .f64Array(let values):
                w.u32(try Self.count(values.count, "metadata '\(entry.key)' array"))
                values.forEach { w.f64($0) }
            case .stringArray(let values):
                w.u32(try Self.count(values.count, "metadata '\(entry.key)' array"))
                for value in values { try writeString(value, to: &w, "metadata '\(entry.key)'") }
            }
        }
        return w.bytes
    }

    private func encodeTensors(dataOffsets: [Int?]) throws -> [UInt8] {
        var w = ByteWriter()
        w.u32(try Self.count(file.tensors.count, "tensors"))
        for (tensor, dataOffset) in zip(file.tensors, dataOffsets) {
            try writeString(tensor.name, to: &w, "tensor name")
            guard tensor.shape.count <= Int(UInt8.max) else {
                throw ExportError.invalidArgument("tensor '\(tensor.name)': rank \(tensor.shape.count) does not fit a u8")
            }
            w.u8(tensor.dtype.rawValue)
            w.u8(UInt8(tensor.shape.count))
            w.u8(tensor.quantization.code)
            w.u8(tensor.isConstant ? 1 : 0)
            for dim in tensor.shape {
                guard let stored = UInt32(exactly: dim) else {
                    throw ExportError.invalidArgument("tensor '\(tensor.name)': dimension \(dim) does not fit a u32")
                }
                w.u32(stored)
            }
            switch tensor.quantization {
            case .none:
                break
            case .perTensor(let scale, let zeroPoint):
                w.i32(-1)
                w.u32(1)
                w.f32(scale)
                w.i32(zeroPoint)
            case .perChannel(let axis, let scales, let zeroPoints):
                guard let storedAxis = Int32(exactly: axis) else {
                    throw ExportError.invalidArgument("tensor '\(tensor.name)': quantization axis \(axis) does not fit an i32")
                }
                guard scales.count == zeroPoints.count else {
                    throw ExportError.invalidArgument(
                        "tensor '\(tensor.name)': \(scales.count) scales but \(zeroPoints.count) zero points; "
                            + "the file has one qcount for both")
                }
                w.i32(storedAxis)
                w.u32(try Self.count(scales.count, "tensor '\(tensor.name)' scales"))
                scales.forEach { w.f32($0) }
                zeroPoints.forEach { w.i32($0) }
            }
            if let data = tensor.data, let offset = dataOffset {
                w.u64(UInt64(offset))
                w.u64(UInt64(data.count))
            }
        }
        return w.bytes
    }

    private func encodeGraph() throws -> [UInt8] {
        var w = ByteWriter()
        w.u32(try Self.count(file.inputs.count, "graph inputs"))
        file.inputs.forEach { w.u32($0.rawValue) }
        w.u32(try Self.count(file.outputs.count, "graph outputs"))
        file.outputs.forEach { w.u32($0.rawValue) }
        w.u32(try Self.count(file.nodes.count, "nodes"))
        for (index, node) in file.nodes.enumerated() {
            w.u16(node.op.rawValue)
            w.u16(node.version)
            w.u32(try Self.count(node.inputs.count, "node \(index) inputs"))
            w.u32(try Self.count(node.outputs.count, "node \(index) outputs"))
            w.u32(try Self.count(node.attributes.count, "node \(index) attributes"))
            node.inputs.forEach { w.u32($0?.rawValue ?? ModelFormat.absentInput) }
            node.outputs.forEach { w.u32($0.rawValue) }
            for attribute in node.attributes {
                w.u16(attribute.key.rawValue)
                w.u16(attribute.value.typeCode)
                w.u32(try Self.count(attribute.value.count, "node \(index) attribute values"))
                switch attribute.value {
                case .i64(let values): values.forEach { w.i64($0) }
                case .f32(let values): values.forEach { w.f32($0) }
                }
            }
        }
        return w.bytes
    }

    private func encodeSelfTest(_ selfTest: SelfTestVector) throws -> [UInt8] {
        var w = ByteWriter()
        w.f32(selfTest.rtol)
        w.f32(selfTest.atol)
        for entries in [selfTest.inputs, selfTest.outputs] {
            w.u32(try Self.count(entries.count, "self-test entries"))
            for entry in entries {
                w.u32(entry.tensor.rawValue)
                w.u64(UInt64(entry.values.count))
                entry.values.forEach { w.f32($0) }
            }
        }
        return w.bytes
    }

    /// Places every constant at the next multiple of 64 inside DATA, in tensor order.
    /// Returns each tensor's offset (nil for non-constants) and the DATA bytes.
    private func layoutData() throws -> ([Int?], [UInt8]) {
        var w = ByteWriter()
        w.reserve(file.tensors.reduce(0) { $0 + Self.align($1.data?.count ?? 0, to: ModelFormat.dataAlignment) })
        var offsets: [Int?] = []
        for tensor in file.tensors {
            guard let data = tensor.data else {
                offsets.append(nil)
                continue
            }
            w.pad(toMultipleOf: ModelFormat.dataAlignment)
            offsets.append(w.count)
            w.raw(data)
        }
        return (offsets, w.bytes)
    }

    // MARK: - helpers

    private func writeString(_ value: String, to w: inout ByteWriter, _ what: String) throws {
        _ = try Self.count(value.utf8.count, what)
        w.string(value)
    }

    /// A count as its u32 field, or an error naming the field when it does not fit.
    private static func count(_ value: Int, _ what: String) throws -> UInt32 {
        guard let stored = UInt32(exactly: value) else {
            throw ExportError.invalidArgument("\(what): count \(value) does not fit a u32")
        }
        return stored
    }
}
