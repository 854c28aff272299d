import Foundation

/// Where the package and its neighbour `../shared` (the data sets and test
/// images, never committed) are, for tests that use them.
public enum Repository {
    /// The package root, from this file's path (Tests/ToolTestSupport/Repository.swift).
    public static let root: String = {
        var url = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { url.deleteLastPathComponent() }
        return url.path
    }()

    /// `../shared` beside the package root.
    public static let shared = root + "/../shared"

    /// `../shared/<relative>` when it exists, else nil.
    public static func shared(_ relative: String) -> String? {
        let path = shared + "/" + relative
        return FileManager.default.fileExists(atPath: path) ? path : nil
    }

    /// The message a test that skips for want of `../shared/<relative>` gives.
    public static func sharedMissing(_ relative: String) -> String {
        "../shared/\(relative) is absent (looked in \(shared)); skipping"
    }
}
