/// An append-only little-endian byte buffer: the one place that decides how
/// an integer, a float or a string looks on disk, so that every section's
/// encoder agrees with docs/FORMAT.md ("every integer and float is
/// little-endian; strings are `u32 length` then UTF-8 without NUL").
struct ByteWriter {
    private(set) var bytes: [UInt8] = []

    var count: Int { bytes.count }

    mutating func reserve(_ capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func u8(_ value: UInt8) { bytes.append(value) }

    mutating func u16(_ value: UInt16) { appendLittleEndian(value) }

    mutating func u32(_ value: UInt32) { appendLittleEndian(value) }

    mutating func u64(_ value: UInt64) { appendLittleEndian(value) }

    mutating func i32(_ value: Int32) { appendLittleEndian(value) }

    mutating func i64(_ value: Int64) { appendLittleEndian(value) }

    /// IEEE 754 binary32, by bit pattern (NaN payloads and -0 survive).
    mutating func f32(_ value: Float) { appendLittleEndian(value.bitPattern) }

    /// IEEE 754 binary64, by bit pattern.
    mutating func f64(_ value: Double) { appendLittleEndian(value.bitPattern) }

    /// `u32 length` followed by the UTF-8 bytes. The caller has checked the length fits.
    mutating func string(_ value: String) {
        let utf8 = Array(value.utf8)
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    mutating func raw<Bytes: Sequence>(_ more: Bytes) where Bytes.Element == UInt8 {
        bytes.append(contentsOf: more)
    }

    /// Appends zero bytes until the count is a multiple of `alignment`.
    mutating func pad(toMultipleOf alignment: Int) {
        let remainder = bytes.count % alignment
        if remainder != 0 { bytes.append(contentsOf: repeatElement(0, count: alignment - remainder)) }
    }

    /// Overwrites four bytes at `offset` (for fields known only after the rest is laid out).
    mutating func patchU32(_ value: UInt32, at offset: Int) {
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(index))) }
    }

    private mutating func appendLittleEndian<T: FixedWidthInteger>(_ value: T) {
        var little = value.littleEndian
        withUnsafeBytes(of: &little) { bytes.append(contentsOf: $0) }
    }
}
