import DeepLearning
import DLImage
import DLRuntime
import Testing
@testable import DLExport

/// Every model-zoo entry, exported from a checkpoint and run in the C
/// runtime: its output matches the engine's evaluation output within 1e-4
/// (∞-norm relative) on real inputs (MNIST and CIFAR-10 test images from
/// ../shared; smooth synthetic images when it is absent). Weights are the
/// architectures' seeded initialisation with random batch-norm statistics.
///
/// The ImageNet-sized models run at their smallest valid input of at least
/// 32 x 32 (their adaptive pools make that legal), which keeps the whole
/// suite to about a minute in a release build on 2 cores.
@Suite(.serialized) struct ZooExportIntegrationTests {
    static let tolerance = 1e-4

    /// The entry's default input when it is CIFAR- or MNIST-sized, else the
    /// smallest square side from 32 up that the architecture accepts.
    static func inputShape(_ entry: ModelZoo.Entry) -> [Int] {
        let shape = entry.defaultInputShape
        guard shape.count == 3, shape[1] > 32 else { return shape }
        for side in 32..<shape[1] where (try? ModelZoo.make(entry.name, inputShape: [shape[0], side, side], initialize: false)) != nil {
            return [shape[0], side, side]
        }
        return shape
    }

    /// Two 8-bit CHW examples of `shape`: real test images when ../shared is here.
    static func examples(_ shape: [Int]) throws -> (pixels: [[UInt8]], source: String) {
        if shape[0] == 1, shape[1...] == [28, 28], let digits = ExportFixtures.mnistTestImages(2) {
            return (digits.map(\.pixels), "MNIST test images")
        }
        if shape[0] == 3, let images = ExportFixtures.cifarTestImages(2), images.count == 2 {
            let contract = try ImageInputContract(width: shape[2], height: shape[1], resize: .stretch)
            let fitted = try images.map { try contract.fitted($0) }
            return (fitted.map(planar), "CIFAR-10 test images")
        }
        let count = shape.reduce(1, *)
        return ((1...2).map { k in (0..<count).map { i in UInt8(truncatingIfNeeded: (i * 7 * k + i / shape.last! * 13) % 251) } },
                "synthetic images (../shared absent)")
    }

    /// Interleaved HWC to planar CHW.
    static func planar(_ image: Image) -> [UInt8] {
        let plane = image.width * image.height
        var out = [UInt8](repeating: 0, count: plane * image.channels)
        for p in 0..<plane {
            for c in 0..<image.channels { out[c * plane + p] = image.pixels[p * image.channels + c] }
        }
        return out
    }

    @Test(arguments: ModelZoo.entries.map(\.name))
    func exportedModelMatchesTheEngine(name: String) throws {
        let start = monotonicSeconds()
        let entry = try ModelZoo.entry(name)
        let shape = Self.inputShape(entry)
        let model = try ExportFixtures.zooModel(name, inputShape: shape)
        let (pixels, source) = try Self.examples(shape)
        let contract = shape[0] == 1 ? ExportFixtures.mnistContract
            : InputContract(dataset: "cifar10", channels: 3, transform: .cifar10Test, resize: .stretch)
        let checkpoint = ExportFixtures.checkpoint(of: model, architecture: name, inputShape: shape,
                                                   classes: entry.defaultClasses, contract: contract, sample: pixels[0])
        let exported = try ModelExporter.export(checkpoint)
        #expect(exported.summary.parityError <= Self.tolerance)

        // The second example, which the exporter never saw.
        let input = contract.normalize(pixels[1])
        let got = try Parity.runtimeOutput(of: exported.bytes, input: input, threads: 2)
        let want = Parity.engineOutput(of: model, input: input, shape: [1] + shape)
        let error = Parity.relativeError(got, want)
        #expect(Set(want).count > 1, "\(name): a constant output would make the comparison vacuous")
        #expect(error <= Self.tolerance, "\(name) at \(shape) on \(source): \(error)")
        print("parity \(name) \(shape): \(exported.summary.parityError) and \(error) (max relative, \(source)); "
              + "\(exported.summary.nodes) nodes, \(exported.summary.foldedBatchNorms) BN folded; "
              + formatted("%.1f s", monotonicSeconds() - start))
    }
}
