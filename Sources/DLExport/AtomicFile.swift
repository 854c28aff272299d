/// Model files are written atomically: a half-written model (disk full, crash,
/// kill) would be mmapped and rejected, or worse served, by a runtime watching
/// the path. The mechanism is `FileIO.writeAtomically`; this maps its error.
enum AtomicFile {
    static func write(_ bytes: [UInt8], to path: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else {
            throw ExportError.invalidArgument("'\(path)' is not a file path")
        }
        do {
            try FileIO.writeAtomically(bytes, to: path)
        } catch {
            throw ExportError.io(path: error.path, operation: error.operation, errno: error.errno, message: error.message)
        }
    }
}
