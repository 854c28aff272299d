import DLSupport

extension Checkpoint {
    /// The file's bytes (docs/CHECKPOINT.md). Deterministic: maps are written
    /// in key order and tensors in state-dict order, so equal checkpoints
    /// give identical bytes. Throws `invalidArgument` for what a reader would
    /// refuse (an empty or over-long name, rank over 8, a negative epoch).
    public func encoded() throws -> [UInt8] {
        try CheckpointFormat.encode(self)
    }

    /// Parses and validates a whole file's bytes: every count and length is
    /// checked against the bytes left before anything is allocated, every
    /// section's CRC-32 is verified. Never traps on hostile input.
    public init(decoding bytes: [UInt8]) throws {
        self = try CheckpointFormat.decode(bytes)
    }

    /// Writes the checkpoint atomically: to a temporary file in the same
    /// directory, fsynced, renamed over `path`, then the directory fsynced.
    /// On any failure the temporary file is removed and whatever was at
    /// `path` before is left as it was.
    public func write(to path: String) throws {
        try CheckpointFile.writeAtomically(try encoded(), to: path)
    }

    /// Reads and validates `path` (see `init(decoding:)`).
    public static func read(from path: String) throws -> Checkpoint {
        try Checkpoint(decoding: CheckpointFile.read(path))
    }
}

/// Checkpoint files go through DLSupport's `FileIO` (the one crash-safe
/// writer); this maps its errors into `CheckpointError`.
enum CheckpointFile {
    typealias Stage = FileIO.Stage

    static func read(_ path: String) throws -> [UInt8] {
        do { return try FileIO.read(path, maxBytes: Int.max) } catch { throw checkpointError(error) }
    }

    /// `failAt` simulates a failure (EIO) at that stage, for tests.
    static func writeAtomically(_ bytes: [UInt8], to path: String, failAt: Stage? = nil) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw CheckpointError.invalidArgument("'\(path)' is not a file path")
        }
        do { try FileIO.writeAtomically(bytes, to: path, failAt: failAt) } catch { throw checkpointError(error) }
    }

    private static func checkpointError(_ error: FileIOError) -> CheckpointError {
        .io(path: error.path, operation: error.operation, errno: error.errno, message: error.message)
    }
}
