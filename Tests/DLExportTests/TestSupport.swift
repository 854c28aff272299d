/// Little-endian field access for the tests' own reading of written files:
/// deliberately independent of the writer's ByteWriter.
extension Array where Element == UInt8 {
    func u16(at offset: Int) -> UInt16 { UInt16(self[offset]) | UInt16(self[offset + 1]) << 8 }
    func u32(at offset: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(self[offset + $1]) << (8 * UInt32($1)) } }
    func u64(at offset: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(self[offset + $1]) << (8 * UInt64($1)) } }
    func slice(_ offset: Int, _ count: Int) -> [UInt8] { Array(self[offset..<(offset + count)]) }
}

/// One section-table entry as read back from a file.
struct SectionEntry: Equatable {
    var kind: UInt32, flags: UInt32, offset: Int, size: Int, crc: UInt32, reserved: UInt32
}

func sectionTable(_ file: [UInt8]) -> [SectionEntry] {
    let count = Int(file.u32(at: 32))
    return (0..<count).map { index in
        let at = 64 + 32 * index
        return SectionEntry(kind: file.u32(at: at), flags: file.u32(at: at + 4), offset: Int(file.u64(at: at + 8)),
                            size: Int(file.u64(at: at + 16)), crc: file.u32(at: at + 24),
                            reserved: file.u32(at: at + 28))
    }
}

func section(_ file: [UInt8], kind: UInt32) -> [UInt8]? {
    sectionTable(file).first(where: { $0.kind == kind }).map { file.slice($0.offset, $0.size) }
}
