/// Fixed numbers of the `.dlrt` container (docs/FORMAT.md, "Layout"). They
/// live in one place so that the writer and its byte-level tests name the
/// same thing the spec names.
public enum ModelFormat {
    /// `\x89DLRT\r\n\x1a`: the high byte and the CR/LF/EOF trio catch 7-bit and
    /// text-mode mangling, as PNG's signature does.
    public static let magic: [UInt8] = [0x89, 0x44, 0x4C, 0x52, 0x54, 0x0D, 0x0A, 0x1A]
    public static let majorVersion: UInt16 = 1
    public static let minorVersion: UInt16 = 0
    /// The minor version of files with int8 computation (i8 activations,
    /// `quantize`/`dequantize` nodes), which 1.0 readers cannot run.
    public static let int8MinorVersion: UInt16 = 1
    /// The minor version of files with `embedding`, `rnn`, `lstm` or `gru`
    /// nodes, which 1.0 and 1.1 readers cannot run.
    public static let recurrentMinorVersion: UInt16 = 2
    /// Written as a u32; a reader on a machine of the other byte order sees it reversed.
    public static let endianTag: UInt32 = 0x0102_0304
    public static let headerSize = 64
    public static let sectionTableOffset = 64
    public static let sectionEntrySize = 32
    /// The header field that holds the header CRC (zeroed while it is computed).
    public static let headerCRCOffset = 36
    /// Weights are used in place from an `mmap`, so DATA and every tensor in it
    /// start on a cache line (and on any SIMD width the kernels use).
    public static let dataAlignment = 64
    /// Marks an absent optional node input (e.g. a convolution without bias).
    public static let absentInput: UInt32 = 0xFFFF_FFFF

    /// Caps from docs/FORMAT.md. The writer refuses to produce a file the reader must refuse.
    public enum Caps {
        public static let metadataEntries = 4096
        public static let metadataKeyBytes = 256
        public static let metadataStringBytes = 1 << 20
        public static let metadataArrayCount = 1 << 20
        public static let tensors = 1 << 20
        public static let nodes = 1 << 20
        public static let tensorNameBytes = 256
        public static let rank = 8
        public static let nodeInputs = 64
        public static let nodeOutputs = 64
        public static let nodeAttributes = 32
        public static let attributeValues = 64
        public static let graphInputs = 64
        public static let graphOutputs = 64
        public static let maxDimension = Int(Int32.max)
    }
}

/// A section kind (the `kind` field of a section-table entry).
public enum SectionKind: UInt32, Sendable, CaseIterable {
    case meta = 1
    case tensors = 2
    case graph = 3
    case data = 4
    case selfTest = 5
}

/// Element types a tensor can hold. Activations are always `.f32` in v1; the
/// integer types exist for quantized constants.
public enum DType: UInt8, Sendable, CaseIterable {
    case f32 = 1
    case i8 = 2
    case u8 = 3
    case i32 = 4

    /// Bytes per element, for `data_size == element count * dtype size`.
    public var size: Int {
        switch self {
        case .f32, .i32: return 4
        case .i8, .u8: return 1
        }
    }

    /// The zero points a quantized tensor of this type may use ("inside the dtype's range").
    var zeroPointRange: ClosedRange<Int64> {
        switch self {
        case .i8: return Int64(Int8.min)...Int64(Int8.max)
        case .u8: return Int64(UInt8.min)...Int64(UInt8.max)
        case .i32, .f32: return Int64(Int32.min)...Int64(Int32.max)
        }
    }
}
