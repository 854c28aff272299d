import DLImage
import Dispatch
import Testing
@testable import DeepLearning

/// The real MNIST and CIFAR-10 from ../shared/datasets: counts, label
/// histograms, and how long decoding the CIFAR-10 JPEG train split takes.
@Suite struct RealDatasetTests {
    static let mnistTrainHistogram = [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]
    static let mnistTestHistogram = [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]

    @Test(.enabled(if: DataFixtures.hasMNIST, "../shared/datasets/mnist is absent; skipping the real-MNIST test"))
    func realMNIST() throws {
        let directory = DataFixtures.datasets + "/mnist"
        let train = try MNIST.load(directory: directory, split: .train)
        let test = try MNIST.load(directory: directory, split: .test)
        #expect(train.count == 60000 && test.count == 10000)
        #expect(train.sampleShape == [1, 28, 28])
        #expect(train.labelHistogram == Self.mnistTrainHistogram)
        #expect(test.labelHistogram == Self.mnistTestHistogram)
        let loader = try DataLoader(train, batchSize: 256, shuffle: true, seed: 1, dropLast: true)
        #expect(loader.batchCount == 234)
        let first = try #require(Array(loader.batches(epoch: 0).prefix(1)).first)
        #expect(first.shape == [256, 1, 28, 28])
    }

    @Test(.enabled(if: DataFixtures.hasCIFAR, "../shared/datasets/cifar10 is absent; skipping the real-CIFAR-10 test"))
    func realCIFAR10() throws {
        let root = DataFixtures.datasets + "/cifar10"
        let start = DispatchTime.now().uptimeNanoseconds
        let train = try CIFAR10.load(root: root, split: .train, transform: .cifar10Train)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("CIFAR-10 train split: decoded \(train.count) JPEGs in \(String(format: "%.2f", seconds)) s on \(ParallelFor.processorCount) threads")
        let test = try CIFAR10.load(root: root, split: .test, transform: .cifar10Test)
        #expect(train.count == 50000 && test.count == 10000)
        #expect(train.labelHistogram == [Int](repeating: 5000, count: 10))
        #expect(test.labelHistogram == [Int](repeating: 1000, count: 10))
        #expect(train.classes == CIFAR10.classes)
        // One epoch of batches is cheap once decoded.
        let loader = try DataLoader(train, batchSize: 128, shuffle: true, seed: 0, dropLast: true)
        let epochStart = DispatchTime.now().uptimeNanoseconds
        var seen = 0
        for batch in loader.batches(epoch: 0) { seen += batch.count }
        let epochSeconds = Double(DispatchTime.now().uptimeNanoseconds - epochStart) / 1e9
        print("CIFAR-10: one augmented epoch of batches (\(seen) examples) in \(String(format: "%.2f", epochSeconds)) s")
        #expect(seen == 49920)
    }
}
