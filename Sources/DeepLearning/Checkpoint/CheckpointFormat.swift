import DLSupport

/// The `model.ckpt` layout (docs/CHECKPOINT.md): a 32-byte header, then
/// sections back to back, each a 16-byte section header, its payload and a
/// CRC-32. Little-endian throughout.
enum CheckpointFormat {
    static let magic: [UInt8] = [0x89, 0x44, 0x4C, 0x43, 0x4B, 0x0D, 0x0A, 0x1A] // "\x89DLCK\r\n\x1a"
    static let majorVersion = 1
    /// 1: the optional INPUT and SAMPLES sections (a 1.0 reader skips them).
    static let minorVersion = 1
    static let endianTag: UInt32 = 0x0102_0304
    static let headerSize = 32
    static let sectionHeaderSize = 16
    static let maxSections = 64
    /// Names and keys: 1 to this many UTF-8 bytes.
    static let maxNameBytes = 4096
    static let maxRank = 8
    /// Section flag: a reader that does not know the kind may skip the section.
    static let optionalFlag: UInt32 = 1

    enum Kind: UInt32, CaseIterable {
        case architecture = 1, model = 2, optimizer = 3, schedule = 4, rng = 5, progress = 6, metrics = 7, recipe = 8
        case input = 9, samples = 10

        var name: String {
            switch self {
            case .architecture: "ARCH"
            case .model: "MODEL"
            case .optimizer: "OPTIMIZER"
            case .schedule: "SCHEDULE"
            case .rng: "RNG"
            case .progress: "PROGRESS"
            case .metrics: "METRICS"
            case .recipe: "RECIPE"
            case .input: "INPUT"
            case .samples: "SAMPLES"
            }
        }

        /// Sections every checkpoint has; OPTIMIZER and SCHEDULE are absent when nil, INPUT
        /// and SAMPLES when nil or empty (and in files written before version 1.1).
        var isRequired: Bool { ![.optimizer, .schedule, .input, .samples].contains(self) }

        /// Written with the optional flag, so that a reader of an older minor version skips them.
        var isSkippable: Bool { self == .input || self == .samples }
    }

    /// ARCH value type codes.
    enum ValueType: UInt32 {
        case int = 1, double = 2, string = 3, bool = 4, ints = 5, doubles = 6, strings = 7
    }

    /// One section before framing: kind, flags, payload.
    typealias Section = (kind: UInt32, flags: UInt32, payload: [UInt8])

    static let metricsRecordSize = 60
    static let metricsFlagTestLoss: UInt32 = 1
    static let metricsFlagTestAccuracy: UInt32 = 2
}

// MARK: - writing

struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func f64(_ v: Double) { u64(v.bitPattern) }

    mutating func count(_ n: Int, _ what: String) throws {
        guard n <= Int(UInt32.max) else { throw CheckpointError.invalidArgument("\(n) \(what): at most \(UInt32.max) allowed") }
        u32(UInt32(n))
    }

    /// A key or name: 1 to maxNameBytes UTF-8 bytes.
    mutating func name(_ s: String, _ what: String) throws {
        let utf8 = Array(s.utf8)
        guard !utf8.isEmpty, utf8.count <= CheckpointFormat.maxNameBytes else {
            throw CheckpointError.invalidArgument("\(what) '\(s)' must be 1 to \(CheckpointFormat.maxNameBytes) UTF-8 bytes, is \(utf8.count)")
        }
        u32(UInt32(utf8.count))
        bytes.append(contentsOf: utf8)
    }

    /// Free text: 0 to 2³²-1 UTF-8 bytes.
    mutating func text(_ s: String, _ what: String) throws {
        let utf8 = Array(s.utf8)
        try count(utf8.count, "bytes in \(what)")
        bytes.append(contentsOf: utf8)
    }

    mutating func shape(_ shape: [Int], _ what: String) throws {
        guard shape.count <= CheckpointFormat.maxRank, shape.allSatisfy({ $0 >= 0 && $0 <= Int(Int32.max) }) else {
            throw CheckpointError.invalidArgument(
                "\(what) has shape \(shape): rank must be at most \(CheckpointFormat.maxRank), sizes in 0...\(Int32.max)")
        }
        u32(UInt32(shape.count))
        for d in shape { u64(UInt64(d)) }
    }

    mutating func tensors(_ tensors: StateDict<Float>, _ what: String) throws {
        try count(tensors.count, "tensors in \(what)")
        for (name, tensor) in tensors {
            try self.name(name, "\(what) tensor name")
            try shape(tensor.shape, "\(what) tensor '\(name)'")
            guard tensor.count <= Int(Int32.max) else {
                throw CheckpointError.invalidArgument("\(what) tensor '\(name)' has \(tensor.count) elements; at most \(Int32.max) allowed")
            }
            tensor.withUnsafeBufferPointer { values in
                let start = bytes.count
                bytes.append(contentsOf: repeatElement(0, count: values.count * 4))
                bytes.withUnsafeMutableBytes { out in
                    for (i, v) in values.enumerated() {
                        out.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: start + 4 * i, as: UInt32.self)
                    }
                }
            }
        }
    }
}

extension CheckpointFormat {
    /// The file: header, then `sections` (kind, flags, payload) in order, each with its CRC.
    static func assemble(_ sections: [Section]) -> [UInt8] {
        var w = ByteWriter()
        w.bytes.reserveCapacity(headerSize + sections.reduce(0) { $0 + $1.payload.count + sectionHeaderSize + 4 })
        w.bytes.append(contentsOf: magic)
        w.u16(UInt16(majorVersion))
        w.u16(UInt16(minorVersion))
        w.u32(endianTag)
        w.u64(0) // file size, patched below
        w.u32(UInt32(sections.count))
        w.u32(0) // header CRC, patched below
        for section in sections {
            let start = w.bytes.count
            w.u32(section.kind)
            w.u32(section.flags)
            w.u64(UInt64(section.payload.count))
            w.bytes.append(contentsOf: section.payload)
            let crc = w.bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start...])) }
            w.u32(crc)
        }
        patchHeader(&w.bytes)
        return w.bytes
    }

    /// Writes the file size and the header CRC into `bytes`' header.
    static func patchHeader(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { out in
            out.storeBytes(of: UInt64(out.count).littleEndian, toByteOffset: 16, as: UInt64.self)
            out.storeBytes(of: UInt32(0), toByteOffset: 28, as: UInt32.self)
            let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: out[0..<headerSize]))
            out.storeBytes(of: crc.littleEndian, toByteOffset: 28, as: UInt32.self)
        }
    }

    static func encode(_ c: Checkpoint) throws -> [UInt8] {
        assemble(try sections(c))
    }

    /// The sections `encode` writes, in order.
    static func sections(_ c: Checkpoint) throws -> [Section] {
        var sections: [Section] = []
        func add(_ kind: Kind, _ build: (inout ByteWriter) throws -> Void) rethrows {
            var w = ByteWriter()
            try build(&w)
            sections.append((kind.rawValue, kind.isSkippable ? optionalFlag : 0, w.bytes))
        }
        try add(.architecture) { w in
            try w.text(c.architecture.name, "the architecture name")
            try w.count(c.architecture.config.count, "architecture entries")
            for (key, value) in c.architecture.config.sorted(by: { $0.key < $1.key }) {
                try w.name(key, "architecture key")
                switch value {
                case .int(let v): w.u32(ValueType.int.rawValue); w.i64(v)
                case .double(let v): w.u32(ValueType.double.rawValue); w.f64(v)
                case .string(let v): w.u32(ValueType.string.rawValue); try w.text(v, "architecture value '\(key)'")
                case .bool(let v): w.u32(ValueType.bool.rawValue); w.u8(v ? 1 : 0)
                case .ints(let v):
                    w.u32(ValueType.ints.rawValue); try w.count(v.count, "values in '\(key)'")
                    for x in v { w.i64(x) }
                case .doubles(let v):
                    w.u32(ValueType.doubles.rawValue); try w.count(v.count, "values in '\(key)'")
                    for x in v { w.f64(x) }
                case .strings(let v):
                    w.u32(ValueType.strings.rawValue); try w.count(v.count, "values in '\(key)'")
                    for x in v { try w.text(x, "architecture value '\(key)'") }
                }
            }
        }
        try add(.model) { w in try w.tensors(c.model, "MODEL") }
        if let optimizer = c.optimizer {
            try add(.optimizer) { w in
                try w.count(optimizer.parameterShapes.count, "optimizer parameter shapes")
                for (i, shape) in optimizer.parameterShapes.enumerated() { try w.shape(shape, "optimizer parameter \(i)") }
                try w.tensors(optimizer.tensors, "OPTIMIZER")
                try w.count(optimizer.values.count, "optimizer values")
                for (key, value) in optimizer.values.sorted(by: { $0.key < $1.key }) {
                    try w.name(key, "optimizer value key")
                    w.f64(value)
                }
            }
        }
        if let schedule = c.schedule {
            try add(.schedule) { w in
                try w.count(schedule.count, "schedule values")
                for (key, value) in schedule.sorted(by: { $0.key < $1.key }) {
                    try w.name(key, "schedule key")
                    w.f64(value)
                }
            }
        }
        try add(.rng) { w in
            try w.count(c.rngStates.count, "RNG states")
            for (key, value) in c.rngStates.sorted(by: { $0.key < $1.key }) {
                try w.name(key, "RNG state name")
                w.u64(value)
            }
        }
        guard c.epoch >= 0, c.step >= 0 else {
            throw CheckpointError.invalidArgument("epoch \(c.epoch) and step \(c.step) must be non-negative")
        }
        add(.progress) { w in
            w.i64(c.epoch)
            w.i64(c.step)
        }
        try add(.metrics) { w in
            try w.count(c.metrics.count, "metrics records")
            for m in c.metrics {
                guard m.epoch >= 0 else { throw CheckpointError.invalidArgument("metrics epoch \(m.epoch) must be non-negative") }
                w.i64(m.epoch)
                w.u32((m.testLoss != nil ? metricsFlagTestLoss : 0) | (m.testAccuracy != nil ? metricsFlagTestAccuracy : 0))
                w.f64(m.trainLoss)
                w.f64(m.trainAccuracy)
                w.f64(m.testLoss ?? 0)
                w.f64(m.testAccuracy ?? 0)
                w.f64(m.learningRate)
                w.f64(m.seconds)
            }
        }
        try add(.recipe) { w in try w.text(c.recipe, "the recipe") }
        if let input = c.input { try add(.input) { w in try w.inputContract(input) } }
        if !c.samples.isEmpty { try add(.samples) { w in try w.samples(c.samples) } }
        return sections
    }
}

// MARK: - reading

/// A bounds-checked cursor over the file; offsets are absolute.
struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var offset: Int
    let end: Int
    /// What is being read, for error messages.
    var part: String

    var remaining: Int { end - offset }

    func truncated(_ needed: Int) -> CheckpointError {
        .truncated(part: part, offset: offset, needed: needed, available: remaining)
    }

    func malformed(_ reason: String, at position: Int? = nil) -> CheckpointError {
        .malformed(part: part, offset: position ?? offset, reason: reason)
    }

    mutating func need(_ n: Int) throws {
        guard n >= 0, n <= remaining else { throw truncated(n) }
    }

    mutating func u8() throws -> UInt8 {
        try need(1)
        defer { offset += 1 }
        return bytes[offset]
    }

    mutating func u16() throws -> UInt16 {
        try need(2)
        defer { offset += 2 }
        return UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    mutating func u32() throws -> UInt32 {
        try need(4)
        defer { offset += 4 }
        return UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    mutating func u64() throws -> UInt64 {
        try need(8)
        defer { offset += 8 }
        return UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    mutating func i64() throws -> Int { Int(Int64(bitPattern: try u64())) }
    mutating func f64() throws -> Double { Double(bitPattern: try u64()) }

    /// A u32 count of records each at least `minimumSize` bytes, refused
    /// unless that many could fit in the bytes left: nothing is allocated
    /// for a count the data cannot back.
    mutating func count(_ what: String, minimumSize: Int) throws -> Int {
        let at = offset
        let n = Int(try u32())
        guard n * minimumSize <= remaining else {
            throw malformed("\(n) \(what) declared, but only \(remaining) bytes remain (each needs at least \(minimumSize))", at: at)
        }
        return n
    }

    private mutating func utf8(_ length: Int, _ what: String) throws -> String {
        try need(length)
        let at = offset
        let slice = UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + length)])
        guard let s = String(validating: slice.bindMemory(to: UInt8.self), as: UTF8.self) else {
            throw malformed("\(what) is not valid UTF-8", at: at)
        }
        offset += length
        return s
    }

    /// A key or name: 1 to maxNameBytes bytes of UTF-8.
    mutating func name(_ what: String) throws -> String {
        let at = offset
        let length = Int(try u32())
        guard length >= 1, length <= CheckpointFormat.maxNameBytes else {
            throw malformed("\(what) is \(length) bytes long; names are 1 to \(CheckpointFormat.maxNameBytes) bytes", at: at)
        }
        return try utf8(length, what)
    }

    /// Free text: a u32 length (bounded by the bytes left) and UTF-8.
    mutating func text(_ what: String) throws -> String {
        let length = Int(try u32())
        return try utf8(length, what)
    }

    mutating func shape(_ what: String) throws -> [Int] {
        let at = offset
        let rank = Int(try u32())
        guard rank <= CheckpointFormat.maxRank else {
            throw malformed("\(what) has rank \(rank); at most \(CheckpointFormat.maxRank) is allowed", at: at)
        }
        try need(rank * 8)
        var shape: [Int] = []
        shape.reserveCapacity(rank)
        for i in 0..<rank {
            let dimensionAt = offset
            let d = try u64()
            guard d <= UInt64(Int32.max) else {
                throw malformed("\(what) dimension \(i) is \(d); at most \(Int32.max) is allowed", at: dimensionAt)
            }
            shape.append(Int(d))
        }
        return shape
    }

    /// The product of `shape`, refused (overflow-checked) above 2³¹-1.
    func elementCount(_ shape: [Int]) throws -> Int {
        var elements = 1
        for d in shape {
            let (product, overflow) = elements.multipliedReportingOverflow(by: d)
            guard !overflow, product <= Int(Int32.max) else { throw malformed("shape \(shape) has more than \(Int32.max) elements") }
            elements = product
        }
        return elements
    }

    /// A tensor table: u32 count, then per tensor its name, shape and Float32 values.
    mutating func tensors(_ section: String) throws -> StateDict<Float> {
        let n = try count("tensors", minimumSize: 4 + 1 + 4)
        var result = StateDict<Float>()
        for i in 0..<n {
            part = "\(section) tensor #\(i)"
            let nameAt = offset
            let name = try self.name("the name")
            part = "\(section) tensor '\(name)'"
            guard result[name] == nil else { throw malformed("the name appears twice", at: nameAt) }
            let shape = try self.shape("the shape")
            let elements = try elementCount(shape)
            try need(elements * 4)
            let start = offset
            let values = [Float](unsafeUninitializedCapacity: elements) { out, initialized in
                for j in 0..<elements {
                    let bits = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: start + 4 * j, as: UInt32.self))
                    out[j] = Float(bitPattern: bits)
                }
                initialized = elements
            }
            offset += elements * 4
            result[name] = Tensor(shape: shape, scalars: values)
        }
        part = section
        return result
    }

    /// u32 count, then (name, f64 bits) pairs with unique names.
    mutating func doubles(_ what: String) throws -> [String: Double] {
        let n = try count(what, minimumSize: 4 + 1 + 8)
        var result: [String: Double] = [:]
        result.reserveCapacity(n)
        for _ in 0..<n {
            let at = offset
            let key = try name("a key in \(what)")
            let value = try f64()
            guard result.updateValue(value, forKey: key) == nil else { throw malformed("the key '\(key)' appears twice", at: at) }
        }
        return result
    }
}

extension CheckpointFormat {
    static func decode(_ bytes: [UInt8]) throws -> Checkpoint {
        try bytes.withUnsafeBytes { try decode($0) }
    }

    static func decode(_ bytes: UnsafeRawBufferPointer) throws -> Checkpoint {
        var r = ByteReader(bytes: bytes, offset: 0, end: bytes.count, part: "header")
        // Header.
        let magicLength = min(magic.count, bytes.count)
        guard Array(bytes[0..<magicLength]) == Array(magic[0..<magicLength]) else {
            throw CheckpointError.notACheckpoint(found: Array(bytes[0..<magicLength]))
        }
        try r.need(headerSize)
        r.offset = magic.count
        let major = Int(try r.u16()), minor = Int(try r.u16())
        guard major == majorVersion else { throw CheckpointError.unsupportedVersion(major: major, minor: minor) }
        let tag = try r.u32()
        guard tag == endianTag else {
            throw r.malformed("endianness tag is 0x\(String(tag, radix: 16)), expected 0x01020304 (little-endian)", at: 12)
        }
        let declaredSize = try r.u64()
        let sectionCount = Int(try r.u32())
        let storedHeaderCRC = try r.u32()
        var header = Array(bytes[0..<headerSize])
        header[28] = 0; header[29] = 0; header[30] = 0; header[31] = 0
        let headerCRC = CRC32.checksum(header)
        guard headerCRC == storedHeaderCRC else {
            throw CheckpointError.checksumMismatch(part: "header", offset: 0, stored: storedHeaderCRC, computed: headerCRC)
        }
        guard declaredSize <= UInt64(Int.max), Int(declaredSize) <= bytes.count else {
            throw CheckpointError.truncated(part: "file (the header declares \(declaredSize) bytes)", offset: bytes.count,
                                            needed: declaredSize <= UInt64(Int.max) ? Int(declaredSize) - bytes.count : Int.max,
                                            available: 0)
        }
        guard Int(declaredSize) == bytes.count else {
            throw CheckpointError.malformed(part: "file", offset: Int(declaredSize),
                                            reason: "\(bytes.count - Int(declaredSize)) bytes follow the \(declaredSize) bytes the header declares")
        }
        guard sectionCount >= 1, sectionCount <= maxSections else {
            throw CheckpointError.malformed(part: "header", offset: 24, reason: "section count \(sectionCount) is outside 1...\(maxSections)")
        }

        // Sections.
        var checkpoint = Checkpoint(architecture: ArchitectureDescription(name: ""), model: StateDict())
        var seen = Set<UInt32>()
        for index in 0..<sectionCount {
            r.part = "section #\(index) header"
            let sectionAt = r.offset
            let rawKind = try r.u32()
            let flags = try r.u32()
            let size = try r.u64()
            let kind = Kind(rawValue: rawKind)
            let name = kind?.name ?? "section kind \(rawKind)"
            r.part = name
            guard flags & ~optionalFlag == 0 else {
                throw r.malformed("unknown flags 0x\(String(flags, radix: 16))", at: sectionAt + 4)
            }
            // The payload and the 4-byte CRC after it must both fit (fewer than 4 bytes left is truncated too).
            guard r.remaining >= 4, size <= UInt64(r.remaining - 4) else {
                throw CheckpointError.truncated(part: name, offset: r.offset, needed: size < UInt64(Int.max - 4) ? Int(size) + 4 : Int.max,
                                                available: r.remaining)
            }
            let payloadEnd = r.offset + Int(size)
            let stored = UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: payloadEnd, as: UInt32.self))
            let computed = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[sectionAt..<payloadEnd]))
            guard stored == computed else {
                throw CheckpointError.checksumMismatch(part: name, offset: sectionAt, stored: stored, computed: computed)
            }
            guard seen.insert(rawKind).inserted else { throw r.malformed("the section appears twice", at: sectionAt) }
            guard let kind else {
                guard flags & optionalFlag != 0 else {
                    throw r.malformed("unknown section kind \(rawKind) is not marked optional", at: sectionAt)
                }
                r.offset = payloadEnd + 4
                continue
            }
            var p = ByteReader(bytes: bytes, offset: r.offset, end: payloadEnd, part: name)
            try decodeSection(kind, &p, into: &checkpoint)
            guard p.offset == payloadEnd else {
                throw p.malformed("\(payloadEnd - p.offset) bytes after the section's content")
            }
            r.offset = payloadEnd + 4
        }
        if r.offset != bytes.count {
            throw CheckpointError.malformed(part: "file", offset: r.offset,
                                            reason: "\(bytes.count - r.offset) bytes after the last of \(sectionCount) sections")
        }
        for kind in Kind.allCases where kind.isRequired && !seen.contains(kind.rawValue) {
            throw CheckpointError.missingSection(kind.name)
        }
        return checkpoint
    }

    private static func decodeSection(_ kind: Kind, _ r: inout ByteReader, into c: inout Checkpoint) throws {
        switch kind {
        case .architecture:
            let name = try r.text("the model name")
            let n = try r.count("architecture entries", minimumSize: 4 + 1 + 4 + 1)
            var config: [String: ArchitectureDescription.Value] = [:]
            for _ in 0..<n {
                let keyAt = r.offset
                let key = try r.name("an architecture key")
                r.part = "ARCH entry '\(key)'"
                guard config[key] == nil else { throw r.malformed("the key appears twice", at: keyAt) }
                let typeAt = r.offset
                let rawType = try r.u32()
                guard let type = ValueType(rawValue: rawType) else { throw r.malformed("unknown value type \(rawType)", at: typeAt) }
                switch type {
                case .int: config[key] = .int(try r.i64())
                case .double: config[key] = .double(try r.f64())
                case .string: config[key] = .string(try r.text("the value"))
                case .bool:
                    let at = r.offset
                    let b = try r.u8()
                    guard b <= 1 else { throw r.malformed("bool value \(b) is neither 0 nor 1", at: at) }
                    config[key] = .bool(b == 1)
                case .ints:
                    let count = try r.count("values", minimumSize: 8)
                    config[key] = .ints(try (0..<count).map { _ in try r.i64() })
                case .doubles:
                    let count = try r.count("values", minimumSize: 8)
                    config[key] = .doubles(try (0..<count).map { _ in try r.f64() })
                case .strings:
                    let count = try r.count("values", minimumSize: 4)
                    config[key] = .strings(try (0..<count).map { _ in try r.text("a value") })
                }
                r.part = "ARCH"
            }
            c.architecture = ArchitectureDescription(name: name, config: config)
        case .model:
            c.model = try r.tensors("MODEL")
        case .optimizer:
            var state = OptimizerState<Float>()
            let n = try r.count("parameter shapes", minimumSize: 4)
            state.parameterShapes = try (0..<n).map { try r.shape("parameter \($0)'s shape") }
            state.tensors = try r.tensors("OPTIMIZER")
            state.values = try r.doubles("optimizer values")
            c.optimizer = state
        case .schedule:
            c.schedule = try r.doubles("schedule values")
        case .rng:
            let n = try r.count("RNG states", minimumSize: 4 + 1 + 8)
            var states: [String: UInt64] = [:]
            states.reserveCapacity(n)
            for _ in 0..<n {
                let at = r.offset
                let key = try r.name("an RNG state name")
                let value = try r.u64()
                guard states.updateValue(value, forKey: key) == nil else { throw r.malformed("the name '\(key)' appears twice", at: at) }
            }
            c.rngStates = states
        case .progress:
            let epochAt = r.offset
            let epoch = try r.i64()
            let step = try r.i64()
            guard epoch >= 0, step >= 0 else { throw r.malformed("epoch \(epoch) and step \(step) must be non-negative", at: epochAt) }
            c.epoch = epoch
            c.step = step
        case .metrics:
            let n = try r.count("metrics records", minimumSize: metricsRecordSize)
            var records: [EpochMetrics] = []
            records.reserveCapacity(n)
            for i in 0..<n {
                r.part = "METRICS record #\(i)"
                let at = r.offset
                let epoch = try r.i64()
                let flags = try r.u32()
                guard epoch >= 0 else { throw r.malformed("epoch \(epoch) is negative", at: at) }
                guard flags & ~(metricsFlagTestLoss | metricsFlagTestAccuracy) == 0 else {
                    throw r.malformed("unknown flags 0x\(String(flags, radix: 16))", at: at + 8)
                }
                let trainLoss = try r.f64(), trainAccuracy = try r.f64()
                let testLoss = try r.f64(), testAccuracy = try r.f64()
                let learningRate = try r.f64(), seconds = try r.f64()
                guard flags & metricsFlagTestLoss != 0 || testLoss.bitPattern == 0,
                      flags & metricsFlagTestAccuracy != 0 || testAccuracy.bitPattern == 0 else {
                    throw r.malformed("an absent test value is not stored as zero", at: at + 28)
                }
                records.append(EpochMetrics(epoch: epoch, trainLoss: trainLoss, trainAccuracy: trainAccuracy,
                                            testLoss: flags & metricsFlagTestLoss != 0 ? testLoss : nil,
                                            testAccuracy: flags & metricsFlagTestAccuracy != 0 ? testAccuracy : nil,
                                            learningRate: learningRate, seconds: seconds))
            }
            r.part = "METRICS"
            c.metrics = records
        case .recipe:
            c.recipe = try r.text("the recipe")
        case .input:
            c.input = try r.inputContract()
        case .samples:
            c.samples = try r.samples()
        }
    }
}
