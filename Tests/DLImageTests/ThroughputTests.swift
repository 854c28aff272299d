import Foundation
import Testing
@testable import DLImage

/// Decode + preprocess throughput, the `classify` path. Opt-in (timings need a
/// release build and a quiet machine):
/// `DLIMAGE_BENCH=1 swift test -c release --filter ThroughputTests`.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["DLIMAGE_BENCH"] == "1" && TestSupport.hasSharedImages,
                "set DLIMAGE_BENCH=1 (and have ../shared/images) to run the throughput measurements"))
struct ThroughputTests {
    /// The CIFAR-10 contract dlexport writes: 32x32 RGB, shorter side to 32, centre crop.
    static let cifar = try! ImageInputContract(width: 32, height: 32, mean: [0.4914, 0.4822, 0.4465], std: [0.2470, 0.2435, 0.2616],
                                               resize: .centerCrop(shorterSide: 32))

    /// Seconds per call of `body`, the best of `rounds` rounds of `repeats` calls.
    static func seconds(rounds: Int = 5, repeats: Int, _ body: () throws -> Void) rethrows -> Double {
        var best = Double.infinity
        for _ in 0..<rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            for _ in 0..<repeats { try body() }
            best = min(best, Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 / Double(repeats))
        }
        return best
    }

    /// Photos (335x500 to 615x640) into a 32x32 model: the reduced decode (1/8 here) against the full one.
    @Test func photosReducedDecode() throws {
        let paths = TestSupport.files(in: TestSupport.photos, suffix: ".jpg").map { TestSupport.photos + "/" + $0 }
        try #require(!paths.isEmpty)
        let files = try paths.map { try FileIO.read($0) }
        let full = try Self.seconds(repeats: 4) { for bytes in files { _ = try Self.cifar.tensor(from: Image(data: bytes)) } }
        let reduced = try Self.seconds(repeats: 4) {
            for bytes in files { _ = try Self.cifar.tensor(from: Image(data: bytes, options: Self.cifar.decodeOptions())) }
        }
        let count = Double(files.count)
        print(String(format: "photos -> 32x32: full decode %.2f ms/image, reduced decode %.2f ms/image (%.1fx)",
                     full / count * 1e3, reduced / count * 1e3, full / reduced))
        #expect(full / reduced > 1.5, "the reduced decode should be clearly faster on photos 10x the model's size")
    }

    /// The 10,000 CIFAR-10 test JPEGs (32x32): decode, contract, tensor, one thread.
    @Test func cifarTestJPEGs() throws {
        let root = TestSupport.shared + "/datasets/cifar10/test"
        let classes = ((try? FileIO.list(root)) ?? []).sorted()
        let paths = classes.flatMap { name in TestSupport.files(in: root + "/" + name, suffix: ".jpg").map { root + "/" + name + "/" + $0 } }
        try #require(paths.count >= 1000, "no CIFAR-10 test JPEGs under \(root)")
        let files = try paths.map { try FileIO.read($0) }
        var checksum: Float = 0
        let start = DispatchTime.now().uptimeNanoseconds
        for bytes in files {
            let tensor = try Self.cifar.tensor(from: Image(data: bytes, options: Self.cifar.decodeOptions()))
            checksum += tensor[0]
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "cifar10 test: %d JPEGs decoded + preprocessed in %.2f s, %.0f images/s (1 thread, files in memory)",
                     files.count, seconds, Double(files.count) / seconds))
        #expect(checksum.isFinite)
    }
}
