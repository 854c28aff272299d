import CRuntime

/// The recurrent state of a session's rnn, lstm and gru nodes (dlrt.h,
/// "recurrent state"): h [N, H] per node, and c for lstm, named
/// "<output>.h" / "<output>.c", numbered in node order, h before c.
///
/// The state is not a tensor of the file but the session's own memory, so it
/// is read and written here rather than through `tensor(at:)`. Every
/// successful run leaves the state it ended with, with or without
/// `keepState`, so that an encoder's final state can be read.
extension Session {
    /// Number of state tensors; 0 for a model without recurrent nodes.
    public var stateCount: Int { dlrt_session_state_count(handle) }

    /// State `index`: its name and its shape [N, H] at the session's batch size.
    public func stateInfo(at index: Int) throws -> TensorInfo {
        try checkStateIndex(index)
        return try TensorInfo.read({ dlrt_session_state_info(handle, index, $0) }, what: "state \(index)")
    }

    /// A copy of state `index`'s current value (zeros before the first run
    /// and after `resetState()`).
    public func state(at index: Int) throws -> [Float] {
        let info = try stateInfo(at: index)
        var values = [Float](repeating: 0, count: info.elementCount)
        try values.withUnsafeMutableBufferPointer { buffer in
            try DLRuntimeError.check(dlrt_session_get_state(handle, index, buffer.baseAddress, buffer.count),
                                     "state '\(info.name)'")
        }
        return values
    }

    /// Replaces state `index`, which the next run starts from: e.g. hands
    /// over the state a prompt left in a session of the same layers stored
    /// with another T. Needs `keepState` (a session without it starts every
    /// run from zeros, so a set state would be silently ignored); `values`
    /// must hold N·H finite values. On failure nothing is changed.
    public func setState(_ values: [Float], at index: Int) throws {
        let name = try stateInfo(at: index).name
        try values.withUnsafeBufferPointer { buffer in
            try DLRuntimeError.check(dlrt_session_set_state(handle, index, buffer.baseAddress, buffer.count),
                                     "state '\(name)'")
        }
    }

    /// Sets every state to zeros: the next run starts a new sequence.
    public func resetState() throws {
        try DLRuntimeError.check(dlrt_session_reset_state(handle), "resetting the state")
    }

    /// The C side refuses a bad index too, but as a huge size_t; this names it as given.
    private func checkStateIndex(_ index: Int) throws {
        guard (0..<stateCount).contains(index) else {
            throw DLRuntimeError(status: .invalidArgument,
                                 message: "state index \(index) out of range (the session has \(stateCount) states)")
        }
    }
}
