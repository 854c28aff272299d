/// Files are read and written through DLSupport's `FileIO` (one
/// implementation for models, images and checkpoints); DLImage re-exports it
/// so that image and data code can use it directly.
@_exported import DLSupport

extension ImageError {
    /// The image-level form of a failed file operation.
    public init(_ error: FileIOError) {
        self = .io(path: error.path, operation: error.operation, errno: error.errno, message: error.message)
    }
}
