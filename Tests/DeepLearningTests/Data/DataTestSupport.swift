import DLImage
import Foundation
import Testing
import ToolTestSupport
@testable import DeepLearning

/// Temp directories and tiny data-set files built by the data tests themselves.
enum DataFixtures {
    static let datasets = Repository.shared + "/datasets"
    static var hasMNIST: Bool { FileIO.exists(datasets + "/mnist/train-images-idx3-ubyte.gz") }
    static var hasCIFAR: Bool { FileIO.isDirectory(datasets + "/cifar10/train") }

    static func makeTempDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "/dldata-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func write(_ bytes: [UInt8], _ path: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: path))
    }

    static func mkdir(_ path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    static func be32(_ v: Int) -> [UInt8] { [UInt8(v >> 24 & 0xFF), UInt8(v >> 16 & 0xFF), UInt8(v >> 8 & 0xFF), UInt8(v & 0xFF)] }

    static func idx(dimensions: [Int], bytes: [UInt8]) -> [UInt8] {
        [0, 0, 8, UInt8(dimensions.count)] + dimensions.flatMap(be32) + bytes
    }

    /// gzip via the system `gzip` (present on every Debian); nil if it is not.
    static func gzip(_ bytes: [UInt8]) -> [UInt8]? {
        let input = NSTemporaryDirectory() + "/dldata-gz-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: input); try? FileManager.default.removeItem(atPath: input + ".gz") }
        guard (try? write(bytes, input)) != nil else { return nil }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/gzip")
        process.arguments = ["-9", input]
        guard (try? process.run()) != nil else { return nil }
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return (try? Data(contentsOf: URL(fileURLWithPath: input + ".gz"))).map { [UInt8]($0) }
    }

    /// A small MNIST-like directory: `count` images of 4x3, pixel = (i * 16 + p) % 256, label i % 10.
    static func writeMNIST(_ directory: String, prefix: String, count: Int, gzipped: Bool) throws {
        let pixels: [UInt8] = (0..<(count * 12)).map { (i: Int) -> UInt8 in UInt8((i / 12 * 16 + i % 12) % 256) }
        let labels: [UInt8] = (0..<count).map { (i: Int) -> UInt8 in UInt8(i % 10) }
        var images = idx(dimensions: [count, 4, 3], bytes: pixels)
        var labelFile = idx(dimensions: [count], bytes: labels)
        var suffix = ""
        if gzipped {
            images = try #require(gzip(images))
            labelFile = try #require(gzip(labelFile))
            suffix = ".gz"
        }
        try write(images, "\(directory)/\(prefix)-images-idx3-ubyte\(suffix)")
        try write(labelFile, "\(directory)/\(prefix)-labels-idx1-ubyte\(suffix)")
    }

    /// A CIFAR-10 binary record: label, then 3x32x32 bytes = (label * 7 + channel * 50 + pixel) % 256.
    static func cifarRecord(label: Int) -> [UInt8] {
        let body: [UInt8] = (0..<3072).map { (i: Int) -> UInt8 in UInt8((label * 7 + (i / 1024) * 50 + i % 1024) % 256) }
        return [UInt8(label)] + body
    }
}
