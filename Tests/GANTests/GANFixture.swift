import Foundation
import DeepLearning
import DLExport

/// Small, fast inputs for the GAN tests: temp directories, an 8x8
/// MNIST-format data set, and exported random-init generators.
enum GANFixture {
    static func makeDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "gan-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

    static func files(in directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    static func idx(_ dimensions: [Int], _ bytes: [UInt8]) -> Data {
        var data = Data([0, 0, 0x08, UInt8(dimensions.count)])
        for d in dimensions { data.append(contentsOf: [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)]) }
        data.append(contentsOf: bytes)
        return data
    }

    /// 8x8 images: a bright vertical bar whose column is the label, on faint noise.
    static func writeMNIST(to directory: String, train: Int = 16, test: Int = 8) throws {
        var g = SplitMix64(seed: 11)
        for (prefix, count) in [("train", train), ("t10k", test)] {
            var pixels: [UInt8] = [], labels: [UInt8] = []
            for i in 0..<count {
                let label = i % 8
                for _ in 0..<8 {
                    for x in 0..<8 { pixels.append(x == label ? 230 : UInt8(g.next() % 30)) }
                }
                labels.append(UInt8(label))
            }
            try idx([count, 8, 8], pixels).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-images-idx3-ubyte"))
            try idx([count], labels).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-labels-idx1-ubyte"))
        }
    }

    static func options(model: String, data: String, out: String, epochs: Int) -> TrainingOptions {
        var o = TrainingOptions()
        o.model = model
        o.data = data
        o.epochs = epochs
        o.batchSize = 8
        // One thread: kernels then never depend on whether another test holds the shared pool.
        o.threads = 1
        o.out = out
        return o
    }

    /// What a fresh `dltrain --resume --out OUT --threads 1` passes: the rest comes from the checkpoint.
    static func resumeOptions(out: String) -> TrainingOptions {
        var o = TrainingOptions()
        o.out = out
        o.resume = true
        o.threads = 1
        return o
    }

    /// A dcgan checkpoint for 8x8 images with seeded random weights and
    /// non-trivial batch-norm statistics (so folding them is exercised).
    static func randomGeneratorCheckpoint(seed: UInt64 = 3) throws -> Checkpoint {
        let architecture = GenerativeZoo.architecture("dcgan", imageShape: [1, 8, 8])
        let model = try GenerativeZoo.make(architecture, seed: seed)
        var g = SplitMix64(seed: seed ^ 99)
        // Statistics near what the N(0, 0.02) weights produce, so the outputs depend on the latent.
        for (name, buffer) in model.namedBuffers() where buffer.value.rank == 1 && buffer.value.count > 1 {
            let shape = buffer.value.shape
            buffer.value = name.hasSuffix("running_mean") ? Tensor<Float>.randomUniform(shape, low: -0.05, high: 0.05, using: &g)
                                                          : Tensor<Float>.randomUniform(shape, low: 0.02, high: 0.06, using: &g)
        }
        return Checkpoint(architecture: architecture, model: model.stateDict(), epoch: 0, recipe: "")
    }

    /// That checkpoint exported and written to `directory/gan.dlrt`.
    static func writeRandomGenerator(in directory: String, seed: UInt64 = 3) throws -> String {
        let exported = try ModelExporter.export(try randomGeneratorCheckpoint(seed: seed))
        let path = directory + "/gan.dlrt"
        try exported.write(to: path)
        return path
    }
}
