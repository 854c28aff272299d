import CRuntime

/// One thread's execution state for a model: its activation arena and its
/// thread pool. Not thread-safe — create one session per thread; they can all
/// share one `Model`.
///
/// A session holds a strong reference to its model, because the C session
/// borrows the model's weights and plan: the model cannot be freed under it.
public final class Session {
    public let model: Model
    /// Internal rather than private for the extensions in other files (Session+State).
    let handle: OpaquePointer
    /// Graph inputs at the session's batch size.
    public let inputs: [TensorInfo]
    /// Graph outputs at the session's batch size.
    public let outputs: [TensorInfo]
    public let threads: Int
    public let batch: Int
    /// Whether every intermediate tensor can be read after a run (`tensor(at:)`).
    public let keepsTensors: Bool
    /// Whether each run starts from the recurrent state the previous run ended with (`keepState`).
    public let keepsState: Bool

    /// - Parameters:
    ///   - threads: threads the session may use, the caller's included (1 = the
    ///     calling thread only); more than `DLRT_MAX_THREADS` (64) is capped.
    ///   - batch: replaces dim 0 of every graph input; nil keeps the file's batch size.
    ///   - keepTensors: gives every non-constant tensor its own memory for the
    ///     whole run (`DLRT_SESSION_KEEP_TENSORS`), so that `tensor(at:)` can
    ///     read any of them afterwards: for calibration and per-layer error
    ///     reports. The arena grows to the sum of all activations.
    ///   - keepState: each run of an rnn, lstm or gru starts from the state
    ///     the previous run ended with (`DLRT_SESSION_KEEP_STATE`) instead of
    ///     zeros, so that a model stored with T = 1 can be fed one token per
    ///     run; also needed by `setState` (Session+State.swift).
    public init(model: Model, threads: Int = 1, batch: Int? = nil, keepTensors: Bool = false,
                keepState: Bool = false) throws
    {
        guard threads >= 1 else {
            throw DLRuntimeError(status: .invalidArgument, message: "threads must be >= 1, got \(threads)")
        }
        let threads = min(threads, Int(DLRT_MAX_THREADS))
        if let batch, batch < 1 {
            throw DLRuntimeError(status: .invalidArgument, message: "batch must be >= 1, got \(batch)")
        }
        var options = dlrt_session_options()
        dlrt_session_options_defaults(&options)
        options.threads = UInt32(threads)
        options.batch = Int64(batch ?? 0)
        if keepTensors { options.flags |= UInt32(DLRT_SESSION_KEEP_TENSORS) }
        if keepState { options.flags |= UInt32(DLRT_SESSION_KEEP_STATE) }
        var created: OpaquePointer?
        try DLRuntimeError.check(dlrt_session_create(model.handle, &options, &created), "creating a session")
        guard let created else {
            throw DLRuntimeError(status: .internal, message: "the runtime returned DLRT_OK but no session")
        }
        do {
            inputs = try (0..<model.inputs.count).map { index in
                try TensorInfo.read({ dlrt_session_input_info(created, index, $0) }, what: "session input \(index)")
            }
            outputs = try (0..<model.outputs.count).map { index in
                try TensorInfo.read({ dlrt_session_output_info(created, index, $0) }, what: "session output \(index)")
            }
        } catch {
            dlrt_session_free(created)
            throw error
        }
        self.model = model
        self.handle = created
        self.threads = threads
        self.batch = inputs.first?.shape.first ?? 1
        self.keepsTensors = keepTensors
        self.keepsState = keepState
    }

    deinit { dlrt_session_free(handle) }

    /// Runs the graph: one flat NCHW array per graph input, in graph order;
    /// returns one flat array per graph output.
    public func run(_ inputs: [[Float]]) throws -> [[Float]] {
        guard inputs.count == self.inputs.count else {
            throw DLRuntimeError(status: .invalidArgument,
                                 message: "the model takes \(self.inputs.count) inputs, \(inputs.count) given")
        }
        for (index, values) in inputs.enumerated() { try setInput(index, values) }
        try run()
        return try (0..<outputs.count).map { try output($0) }
    }

    /// Copies `values` into input `index`; the count must equal its element count.
    public func setInput(_ index: Int, _ values: [Float]) throws {
        try values.withUnsafeBufferPointer { try setInput(index, $0) }
    }

    public func setInput(_ index: Int, _ values: UnsafeBufferPointer<Float>) throws {
        guard inputs.indices.contains(index) else {
            throw DLRuntimeError(status: .invalidArgument, message: "input index \(index) out of range")
        }
        try DLRuntimeError.check(dlrt_session_set_input(handle, index, values.baseAddress, values.count),
                                 "input '\(inputs[index].name)'")
    }

    /// Runs the graph on the inputs set so far. Performs no allocation.
    public func run() throws {
        try DLRuntimeError.check(dlrt_session_run(handle), "run")
    }

    /// A copy of output `index` after `run()`.
    public func output(_ index: Int) throws -> [Float] {
        guard outputs.indices.contains(index) else {
            throw DLRuntimeError(status: .invalidArgument, message: "output index \(index) out of range")
        }
        let count = outputs[index].elementCount
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBufferPointer { try output(index, into: $0) }
        return values
    }

    /// Copies output `index` into caller memory (no allocation); the count must equal its element count.
    public func output(_ index: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard outputs.indices.contains(index) else {
            throw DLRuntimeError(status: .invalidArgument, message: "output index \(index) out of range")
        }
        try DLRuntimeError.check(dlrt_session_get_output(handle, index, buffer.baseAddress, buffer.count),
                                 "output '\(outputs[index].name)'")
    }

    // MARK: - intermediate tensors (keepTensors sessions)

    /// Tensor `index` of the model's tensor table, with its shape at the session's batch size.
    public func tensorInfo(at index: Int) throws -> TensorInfo {
        guard index >= 0 else { throw DLRuntimeError(status: .invalidArgument, message: "tensor index \(index)") }
        return try TensorInfo.read({ dlrt_session_tensor_info(handle, index, $0) }, what: "session tensor \(index)")
    }

    /// A copy of non-constant tensor `index` after `run()`, as f32 (an i8
    /// tensor dequantized). Needs a session made with `keepTensors: true`.
    public func tensor(at index: Int) throws -> [Float] {
        let count = try tensorInfo(at: index).elementCount
        var values = [Float](repeating: 0, count: count)
        try values.withUnsafeMutableBufferPointer { try tensor(at: index, into: $0) }
        return values
    }

    /// Copies tensor `index` into caller memory; the count must equal its element count.
    public func tensor(at index: Int, into buffer: UnsafeMutableBufferPointer<Float>) throws {
        guard index >= 0 else { throw DLRuntimeError(status: .invalidArgument, message: "tensor index \(index)") }
        try DLRuntimeError.check(dlrt_session_get_tensor(handle, index, buffer.baseAddress, buffer.count),
                                 "tensor \(index)")
    }
}
