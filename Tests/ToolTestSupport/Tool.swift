import Foundation

/// Runs the package's command-line tools from their tests: the executables
/// SwiftPM builds next to the test bundle (it builds every product before
/// testing), or the path in the environment variable `<NAME>_PATH`
/// (e.g. DLTRAIN_PATH) to test another build.
public enum Tool {
    public struct Output: Sendable {
        public let status: Int32
        public let out: String
        public let err: String
    }

    /// The executable `name` next to this test bundle, or nil.
    public static func path(_ name: String) -> String? {
        let variable = name.uppercased().replacingOccurrences(of: "-", with: "_") + "_PATH"
        if let path = ProcessInfo.processInfo.environment[variable] { return path }
        guard let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else { return nil }
        var url = URL(fileURLWithPath: exe).deletingLastPathComponent()
        // The test binary may sit inside an .xctest bundle (Darwin): walk up to the products directory.
        for _ in 0..<4 {
            let candidate = url.appendingPathComponent(name).path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            url = url.deletingLastPathComponent()
        }
        return nil
    }

    public struct NotFound: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "the \(name) executable is not next to the tests (set \(name.uppercased())_PATH)" }
    }

    /// Runs `name` with `arguments` in `directory`; returns its exit status, stdout and stderr.
    public static func run(_ name: String, _ arguments: [String], in directory: String) throws -> Output {
        guard let path = path(name) else { throw NotFound(name: name) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        // Read both pipes to the end concurrently, so that neither can fill and block the child.
        nonisolated(unsafe) var errData = Data()
        let done = DispatchSemaphore(value: 0)
        Thread {
            errData = err.fileHandleForReading.readDataToEndOfFile()
            done.signal()
        }.start()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        done.wait()
        process.waitUntilExit()
        return Output(status: process.terminationStatus, out: String(decoding: outData, as: UTF8.self),
                      err: String(decoding: errData, as: UTF8.self))
    }
}
