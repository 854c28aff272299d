import DLRuntime

/// Runs a model in the C runtime with every intermediate kept
/// (`DLRT_SESSION_KEEP_TENSORS`) and hands chosen tensors to a visitor:
/// how calibration and the SQNR measurements see inside the model.
struct KeptTensors {
    let session: Session

    init(_ bytes: [UInt8], threads: Int = 1) throws {
        session = try Session(model: try Model(bytes: bytes), threads: threads, keepTensors: true)
    }

    /// Runs `input` and returns the first output.
    @discardableResult
    func run(_ input: [Float]) throws -> [Float] {
        try session.run([input])[0]
    }

    func tensor(_ id: TensorID) throws -> [Float] { try session.tensor(at: Int(id.rawValue)) }
}
