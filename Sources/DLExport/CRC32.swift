/// CRC-32 as docs/FORMAT.md defines it: IEEE 802.3, reflected polynomial
/// `0xEDB88320`, initial value and final xor `0xFFFFFFFF` — bit-for-bit zlib's
/// `crc32`, so a file can be checked with any standard tool.
///
/// Table-driven (one 256-entry table, one byte per step): the writer checksums
/// every section once per file, and weights dominate, so this is fast enough
/// without the complexity of slicing-by-8.
public struct CRC32: Sendable {
    /// The running value, before the final xor.
    private var state: UInt32 = 0xFFFF_FFFF

    public init() {}

    /// Feeds more bytes; equivalent to checksumming the concatenation.
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        var crc = state
        let table = CRC32.table
        for byte in bytes {
            crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8)
        }
        state = crc
    }

    /// The checksum of everything fed so far.
    public var value: UInt32 { state ^ 0xFFFF_FFFF }

    /// The checksum of `bytes` in one call.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var crc = CRC32()
        crc.update(bytes)
        return crc.value
    }

    /// `table[i]` is the CRC register after shifting byte `i` through eight rounds.
    private static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = (value & 1) != 0 ? (value >> 1) ^ 0xEDB8_8320 : value >> 1
        }
        return value
    }
}
