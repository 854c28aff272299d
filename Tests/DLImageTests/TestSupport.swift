import Foundation
import Testing
import ToolTestSupport
@testable import DLImage

/// Paths, temp directories and reference tools for the DLImage tests.
enum TestSupport {
    /// ../shared next to the package root (the data sets and test images; never committed).
    static let shared = Repository.shared
    static let pngSuite = shared + "/images/pngsuite"
    static let jpegDir = shared + "/images/jpeg"
    static let photos = shared + "/images/photos"

    static var hasSharedImages: Bool { FileIO.isDirectory(pngSuite) && FileIO.isDirectory(jpegDir) }
    static let sharedMissing: Comment = "../shared/images is absent (looked at \(shared)); skipping the image-suite tests"

    /// An executable on PATH (or a standard bin dir), or nil.
    static func tool(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") + ["/usr/bin", "/usr/local/bin"] {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    /// Runs a tool and returns its stdout, or nil when it fails.
    static func run(_ executable: String, _ arguments: [String]) -> [UInt8]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        do { try process.run() } catch { return nil }
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return [UInt8](data)
    }

    /// The sorted file names in a directory with the given suffix.
    static func files(in directory: String, suffix: String) -> [String] {
        ((try? FileIO.list(directory)) ?? []).filter { $0.hasSuffix(suffix) }.sorted()
    }

    /// A fresh temporary directory; remove with `removeDirectory`.
    static func makeTempDirectory(_ prefix: String = "dlimage-test") throws -> String {
        let path = NSTemporaryDirectory() + "/\(prefix)-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func removeDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func write(_ bytes: [UInt8], to path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    /// The `ImageError` that `body` throws; nil when it returns or throws something else.
    static func imageError<T>(_ body: () throws -> T) -> ImageError? {
        do {
            _ = try body()
            return nil
        } catch {
            return error as? ImageError
        }
    }

    /// Runs `body` with file descriptor 2 redirected to a temporary file and
    /// returns what was written there: proof that nothing was printed. (Other
    /// tests running at the same moment may add their own lines; callers look
    /// for codec text only.)
    static func capturingStandardError(_ body: () throws -> Void) throws -> String {
        let path = NSTemporaryDirectory() + "/dlimage-stderr-\(UUID().uuidString)"
        let file = open(path, O_CREAT | O_TRUNC | O_WRONLY, 0o600)
        guard file >= 0 else { throw ImageError.invalidArgument("cannot create \(path)") }
        defer { unlink(path) }
        fflush(stderr)
        let saved = dup(2)
        dup2(file, 2)
        close(file)
        defer {
            fflush(stderr)
            dup2(saved, 2)
            close(saved)
        }
        try body()
        fflush(stderr)
        return (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
    }
}

/// A decoded PNM (P4 / P5 / P6, binary), samples scaled to 8 bits the way
/// DLImage reduces them: round(v * 255 / maxval).
struct PNM {
    var width: Int
    var height: Int
    var channels: Int
    var pixels: [UInt8]

    init?(_ bytes: [UInt8]) {
        var position = 0
        func skipSpaceAndComments() {
            while position < bytes.count {
                if bytes[position] == UInt8(ascii: "#") {
                    while position < bytes.count && bytes[position] != 10 { position += 1 }
                } else if [9, 10, 13, 32].contains(bytes[position]) {
                    position += 1
                } else { break }
            }
        }
        func number() -> Int? {
            skipSpaceAndComments()
            var value = 0, digits = 0
            while position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 {
                value = value * 10 + Int(bytes[position] - 48)
                position += 1
                digits += 1
            }
            return digits > 0 ? value : nil
        }
        guard bytes.count > 2, bytes[0] == UInt8(ascii: "P") else { return nil }
        let kind = bytes[1]
        position = 2
        guard let w = number(), let h = number() else { return nil }
        width = w
        height = h
        let maxval: Int
        if kind == UInt8(ascii: "4") { maxval = 1 } else { guard let m = number() else { return nil }; maxval = m }
        position += 1 // the single whitespace before the raster
        switch kind {
        case UInt8(ascii: "4"):
            channels = 1
            let rowBytes = (w + 7) / 8
            guard bytes.count >= position + rowBytes * h else { return nil }
            pixels = []
            for y in 0..<h {
                for x in 0..<w {
                    let bit = (bytes[position + y * rowBytes + x / 8] >> (7 - UInt8(x % 8))) & 1
                    pixels.append(bit == 1 ? 0 : 255) // PBM: 1 is black
                }
            }
        case UInt8(ascii: "5"), UInt8(ascii: "6"):
            channels = kind == UInt8(ascii: "5") ? 1 : 3
            let count = w * h * channels
            let sampleBytes = maxval > 255 ? 2 : 1
            guard bytes.count >= position + count * sampleBytes else { return nil }
            pixels = (0..<count).map { i in
                let v = sampleBytes == 2
                    ? Int(bytes[position + 2 * i]) << 8 | Int(bytes[position + 2 * i + 1])
                    : Int(bytes[position + i])
                return UInt8((v * 255 + maxval / 2) / maxval)
            }
        default:
            return nil
        }
    }
}
