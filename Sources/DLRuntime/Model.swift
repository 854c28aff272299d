import CRuntime

/// A loaded, validated `.dlrt` model: immutable, and shareable between
/// threads (each thread runs it through its own `Session`).
///
/// Everything cheap to describe — inputs, outputs, metadata — is copied into
/// Swift values at load time, so reading it never fails and never touches C.
public final class Model: @unchecked Sendable {
    // @unchecked: the C model is immutable after load and documented as safe to share.

    /// The C handle; valid until deinit.
    let handle: OpaquePointer
    /// For models loaded from bytes: our 64-byte-aligned copy, used in place by
    /// the runtime (zero-copy), so it must live exactly as long as the handle.
    private let storage: UnsafeMutableRawBufferPointer?

    /// Graph inputs, at the batch size stored in the file.
    public let inputs: [TensorInfo]
    /// Graph outputs, at the batch size stored in the file.
    public let outputs: [TensorInfo]
    /// Metadata in file order.
    public let metadata: [MetadataEntry]

    /// Maps and validates the file at `path`.
    /// - Parameter verifyDataChecksum: false skips the CRC of the (large) DATA
    ///   section for a faster load; the other sections are always checked.
    public convenience init(path: String, verifyDataChecksum: Bool = true) throws {
        var options = Model.options(verifyDataChecksum: verifyDataChecksum)
        var handle: OpaquePointer?
        try DLRuntimeError.check(dlrt_model_load_file(path, &options, &handle), "loading '\(path)'")
        try self.init(handle: handle, storage: nil)
    }

    /// Validates a model held in memory. The bytes are copied once into
    /// 64-byte-aligned storage that this object owns, and used in place from
    /// there (the runtime's zero-copy path), so the caller's array may go away.
    public convenience init(bytes: [UInt8], verifyDataChecksum: Bool = true) throws {
        let storage = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes.count, 1), alignment: 64)
        storage.copyBytes(from: bytes)
        var options = Model.options(verifyDataChecksum: verifyDataChecksum)
        var handle: OpaquePointer?
        let status = dlrt_model_load_memory(storage.baseAddress, bytes.count, &options, &handle)
        guard status == DLRT_OK else {
            let error = DLRuntimeError(c: status, context: "loading a model from memory")
            storage.deallocate()
            throw error
        }
        do {
            try self.init(handle: handle, storage: storage)
        } catch {
            // init(handle:) freed the handle; the storage is still ours.
            storage.deallocate()
            throw error
        }
    }

    /// Takes ownership of `handle` and copies its descriptions out. Frees the handle on failure.
    private init(handle: OpaquePointer?, storage: UnsafeMutableRawBufferPointer?) throws {
        guard let handle else {
            throw DLRuntimeError(status: .internal, message: "the runtime returned DLRT_OK but no model")
        }
        do {
            inputs = try (0..<dlrt_model_input_count(handle)).map { index in
                try TensorInfo.read({ dlrt_model_input_info(handle, index, $0) }, what: "model input \(index)")
            }
            outputs = try (0..<dlrt_model_output_count(handle)).map { index in
                try TensorInfo.read({ dlrt_model_output_info(handle, index, $0) }, what: "model output \(index)")
            }
            metadata = try Model.readMetadata(handle)
        } catch {
            dlrt_model_free(handle)
            throw error
        }
        self.handle = handle
        self.storage = storage
    }

    deinit {
        dlrt_model_free(handle)
        storage?.deallocate()
    }

    // MARK: - graph

    public var nodeCount: Int { dlrt_model_node_count(handle) }
    public var tensorCount: Int { dlrt_model_tensor_count(handle) }

    /// The op name of node `index` ("conv2d", ...), or nil when out of range.
    public func nodeOp(at index: Int) -> String? {
        guard index >= 0, let name = dlrt_model_node_op(handle, index) else { return nil }
        return String(cString: name)
    }

    /// Any tensor of the table (inputs, constants, intermediates), by id.
    public func tensorInfo(at index: Int) throws -> TensorInfo {
        guard index >= 0 else { throw DLRuntimeError(status: .invalidArgument, message: "tensor index \(index)") }
        return try TensorInfo.read({ dlrt_model_tensor_info(handle, index, $0) }, what: "tensor \(index)")
    }

    // MARK: - self-test

    /// Runs the self-test vector stored in the model and returns the largest
    /// normalized error (`|got - want| / (atol + rtol * |want|)`, <= 1 passes).
    /// Throws `.selfTest` when out of tolerance, `.notFound` when the model has none.
    @discardableResult
    public func selfTest() throws -> Double {
        var maxError = 0.0
        try DLRuntimeError.check(dlrt_model_selftest(handle, &maxError), "self-test")
        return maxError
    }

    // MARK: - internals

    private static func options(verifyDataChecksum: Bool) -> dlrt_load_options {
        var options = dlrt_load_options()
        dlrt_load_options_defaults(&options)
        if !verifyDataChecksum { options.flags |= UInt32(DLRT_LOAD_SKIP_DATA_CHECKSUM) }
        return options
    }
}

/// The version and build of the C library actually loaded.
public enum Runtime {
    /// `DLRT_ABI_VERSION` of the loaded library; a mismatch with the header means a stale library.
    public static var abiVersion: Int { Int(dlrt_abi_version()) }
    public static var headerABIVersion: Int { Int(DLRT_ABI_VERSION) }
    /// e.g. "0.1.0".
    public static var version: String { String(cString: dlrt_version_string()) }
    /// The instruction set the kernels dispatch to: "avx512", "avx2", "neon" or "scalar".
    public static var isa: String { String(cString: dlrt_isa()) }
}
