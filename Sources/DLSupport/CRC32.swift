import CRuntime.Kernels

/// CRC-32 as docs/FORMAT.md and docs/CHECKPOINT.md define it: IEEE 802.3,
/// reflected polynomial `0xEDB88320`, bit-for-bit zlib's `crc32`. It is the C
/// runtime's slicing-by-8 `dk_crc32`, so the writer, the checkpoint code and
/// the loader share one implementation.
public struct CRC32: Sendable {
    /// The checksum so far (0 before any bytes).
    public private(set) var value: UInt32 = 0

    public init() {}

    /// Feeds more bytes; equivalent to checksumming the concatenation.
    public mutating func update(_ buffer: UnsafeRawBufferPointer) {
        guard let base = buffer.baseAddress, buffer.count > 0 else { return }
        value = dk_crc32(value, base, buffer.count)
    }

    /// Feeds more bytes from any sequence (contiguous collections are not copied).
    public mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        let done: Void? = bytes.withContiguousStorageIfAvailable { update(UnsafeRawBufferPointer($0)) }
        if done == nil { Array(bytes).withUnsafeBytes { update($0) } }
    }

    /// The checksum of `bytes`, continuing from `crc` (0 to start).
    public static func checksum(_ buffer: UnsafeRawBufferPointer, continuing crc: UInt32 = 0) -> UInt32 {
        var state = CRC32()
        state.value = crc
        state.update(buffer)
        return state.value
    }

    /// The checksum of `bytes` in one call.
    public static func checksum<Bytes: Sequence>(_ bytes: Bytes) -> UInt32 where Bytes.Element == UInt8 {
        var state = CRC32()
        state.update(bytes)
        return state.value
    }
}
