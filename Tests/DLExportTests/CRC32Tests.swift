import Testing
@testable import DLExport

/// Known-answer vectors (checked against zlib's `crc32`).
@Suite struct CRC32Tests {
    @Test func knownVectors() {
        #expect(CRC32.checksum([UInt8]()) == 0)
        #expect(CRC32.checksum(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(CRC32.checksum(Array("a".utf8)) == 0xE8B7_BE43)
        #expect(CRC32.checksum(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
        #expect(CRC32.checksum((0...255).map { UInt8($0) }) == 0x2905_8C73)
        #expect(CRC32.checksum([UInt8](repeating: 0, count: 1000)) == 0x060B_1780)
    }

    @Test func incrementalEqualsOneShot() {
        let bytes = Array("The quick brown fox jumps over the lazy dog".utf8)
        for split in [0, 1, 9, bytes.count - 1, bytes.count] {
            var crc = CRC32()
            crc.update(bytes[..<split])
            crc.update(bytes[split...])
            #expect(crc.value == 0x414F_A339, "split at \(split)")
        }
    }
}
