import CRuntime

extension Model {
    /// A metadata value as stored in the model (docs/FORMAT.md, `META`).
    /// Nested in `Model` so that it does not clash with the writer's
    /// `DLExport.MetadataValue` in code that imports both.
    public enum MetadataValue: Hashable, Sendable {
        case i64(Int64)
        case f64(Double)
        case string(String)
        case i64Array([Int64])
        case f64Array([Double])
        case stringArray([String])
    }

    /// One metadata entry, in file order.
    public struct MetadataEntry: Hashable, Sendable {
        public let key: String
        public let value: MetadataValue
    }
}

extension Model {
    /// The value stored under `key`, or nil when the model has no such key.
    public func metadata(_ key: String) -> MetadataValue? {
        metadata.first(where: { $0.key == key })?.value
    }

    /// A string entry (e.g. "model.name"); nil when absent or of another type.
    public func string(_ key: String) -> String? {
        if case .string(let value)? = metadata(key) { return value }
        return nil
    }

    /// A string-array entry (e.g. "labels"); nil when absent or of another type.
    public func strings(_ key: String) -> [String]? {
        if case .stringArray(let value)? = metadata(key) { return value }
        return nil
    }

    public func int(_ key: String) -> Int64? {
        if case .i64(let value)? = metadata(key) { return value }
        return nil
    }

    public func ints(_ key: String) -> [Int64]? {
        if case .i64Array(let value)? = metadata(key) { return value }
        return nil
    }

    public func double(_ key: String) -> Double? {
        if case .f64(let value)? = metadata(key) { return value }
        return nil
    }

    public func doubles(_ key: String) -> [Double]? {
        if case .f64Array(let value)? = metadata(key) { return value }
        return nil
    }

    /// Copies every entry out through the typed getters of dlrt.h.
    static func readMetadata(_ handle: OpaquePointer) throws -> [MetadataEntry] {
        try (0..<dlrt_model_meta_count(handle)).map { index in
            var keyPointer: UnsafePointer<CChar>?
            var type = dlrt_meta_type(rawValue: 0)
            try DLRuntimeError.check(dlrt_model_meta_entry(handle, index, &keyPointer, &type), "metadata entry \(index)")
            guard let keyPointer else {
                throw DLRuntimeError(status: .internal, message: "metadata entry \(index) has no key")
            }
            let key = String(cString: keyPointer)
            var length = 0
            try DLRuntimeError.check(dlrt_model_meta_length(handle, keyPointer, &length), "metadata '\(key)'")

            func i64(_ i: Int) throws -> Int64 {
                var value: Int64 = 0
                try DLRuntimeError.check(dlrt_model_meta_i64(handle, keyPointer, i, &value), "metadata '\(key)'")
                return value
            }
            func f64(_ i: Int) throws -> Double {
                var value = 0.0
                try DLRuntimeError.check(dlrt_model_meta_f64(handle, keyPointer, i, &value), "metadata '\(key)'")
                return value
            }
            func string(_ i: Int) throws -> String {
                var data: UnsafePointer<CChar>?
                var count = 0
                try DLRuntimeError.check(dlrt_model_meta_string(handle, keyPointer, i, &data, &count),
                                         "metadata '\(key)'")
                guard count > 0 else { return "" }
                guard let data else {
                    throw DLRuntimeError(status: .internal, message: "metadata '\(key)': no string data")
                }
                // Not NUL-terminated inside the file: use the length.
                return data.withMemoryRebound(to: UInt8.self, capacity: count) {
                    String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self)
                }
            }

            let value: MetadataValue
            switch type {
            case DLRT_META_I64: value = .i64(try i64(0))
            case DLRT_META_F64: value = .f64(try f64(0))
            case DLRT_META_STRING: value = .string(try string(0))
            case DLRT_META_I64_ARRAY: value = .i64Array(try (0..<length).map(i64))
            case DLRT_META_F64_ARRAY: value = .f64Array(try (0..<length).map(f64))
            case DLRT_META_STRING_ARRAY: value = .stringArray(try (0..<length).map(string))
            default:
                throw DLRuntimeError(status: .internal, message: "metadata '\(key)': unknown type \(type.rawValue)")
            }
            return MetadataEntry(key: key, value: value)
        }
    }
}
