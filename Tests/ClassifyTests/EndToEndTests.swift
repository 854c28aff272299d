import Foundation
import Testing
import ToolTestSupport

/// dltrain -> dlexport -> classify on real CIFAR-10 JPEGs: classify's accuracy
/// over a test subset is exactly the engine's own evaluation of the same
/// images (same decoding, preprocessing and, within 1e-4, the same outputs).
@Suite struct EndToEndTests {
    static let cifar = "datasets/cifar10"
    static let perClass = 20

    /// A CIFAR-10-shaped folder of links: the first `perClass` images of every class, train and test.
    static func subset(of source: String, in dir: TemporaryDirectory) throws -> String {
        let root = dir.file("cifar10")
        for split in ["train", "test"] {
            for label in try FileManager.default.contentsOfDirectory(atPath: "\(source)/\(split)").sorted() {
                let target = "\(root)/\(split)/\(label)"
                try FileManager.default.createDirectory(atPath: target, withIntermediateDirectories: true)
                let files = try FileManager.default.contentsOfDirectory(atPath: "\(source)/\(split)/\(label)").sorted()
                for file in files.prefix(perClass) {
                    try FileManager.default.createSymbolicLink(atPath: "\(target)/\(file)",
                                                               withDestinationPath: "\(source)/\(split)/\(label)/\(file)")
                }
            }
        }
        return root
    }

    @Test(.enabled(if: Repository.shared(cifar) != nil, Comment(rawValue: Repository.sharedMissing(cifar))))
    func classifyMatchesTheEnginesEvaluation() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let data = try Self.subset(of: try #require(Repository.shared(Self.cifar)), in: dir)
        let train = try Tool.run("dltrain", ["--model", "resnet20", "--data", data, "--epochs", "2", "--batch-size", "20",
                                             "--schedule", "constant", "--lr", "0.02",
                                             "--seed", "3", "--threads", "2", "--out", "model.ckpt", "--progress", "none"],
                                 in: dir.path)
        #expect(train.status == 0, "\(train.err)")
        // "epoch 2/2  train loss ... acc ...%  test loss L acc A%  ...": A is the engine's evaluation.
        let engine = try #require(train.out.split(separator: "\n").first { $0.hasPrefix("epoch 2/2") })
        let afterTest = try #require(engine.components(separatedBy: "test loss ").last?.components(separatedBy: "acc ").last)
        let accuracy = try #require(afterTest.split(separator: "%").first)

        let export = try Tool.run("dlexport", ["model.ckpt", "-o", "model.dlrt"], in: dir.path)
        #expect(export.status == 0, "\(export.err)")
        let classify = try Tool.run("classify", ["--model", "model.dlrt", "--accuracy", "--top", "1", "\(data)/test"],
                                    in: dir.path)
        #expect(classify.status == 0, "\(classify.err)")
        let total = 10 * Self.perClass
        let summary = try #require(classify.out.split(separator: "\n").last)
        #expect(summary.hasPrefix("accuracy: top-1 \(accuracy)% ("), "engine: \(engine); classify: \(summary)")
        #expect(summary.hasSuffix(" of \(total))"))
    }
}
