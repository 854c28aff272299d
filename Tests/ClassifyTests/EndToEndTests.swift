import Foundation
import Testing
import ToolTestSupport

/// dltrain -> dlexport -> classify on real CIFAR-10 JPEGs: classify's accuracy
/// over a test subset is exactly the engine's own evaluation of the same
/// images (same decoding, preprocessing and, within 1e-4, the same outputs).
@Suite struct EndToEndTests {
    static let cifar = "datasets/cifar10"
    static let perClass = 20

    /// A folder of links to the first `perClass` images of some CIFAR-10 classes, train and test:
    /// `root/<split>/<name>/`, where `classes` maps each CIFAR-10 class to the name its folder gets.
    static func subset(of source: String, classes: [String: String], in dir: TemporaryDirectory) throws -> String {
        let root = dir.file("data")
        for split in ["train", "test"] {
            for (label, name) in classes {
                let target = "\(root)/\(split)/\(name)"
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

    /// Trains 2 epochs, exports, classifies the test split; checks classify's accuracy is the engine's.
    /// Works in `dir`, where model.dlrt and data/ stay for more checks.
    static func trainExportClassify(classes: [String: String], in dir: TemporaryDirectory) throws {
        let data = try subset(of: try #require(Repository.shared(cifar)), classes: classes, in: dir)
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
        let total = classes.count * perClass
        let summary = try #require(classify.out.split(separator: "\n").last)
        #expect(summary.hasPrefix("accuracy: top-1 \(accuracy)% ("), "engine: \(engine); classify: \(summary)")
        #expect(summary.hasSuffix(" of \(total))"))
    }

    @Test(.enabled(if: Repository.shared(cifar) != nil, Comment(rawValue: Repository.sharedMissing(cifar))))
    func classifyMatchesTheEnginesEvaluation() throws {
        let all = Dictionary(uniqueKeysWithValues: try FileManager.default
            .contentsOfDirectory(atPath: try #require(Repository.shared(Self.cifar)) + "/test").map { ($0, $0) })
        #expect(all.count == 10)
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.trainExportClassify(classes: all, in: dir)
    }

    /// The README's "your own data" path: a folder of three classes with the user's names
    /// (an image folder, not CIFAR-10), through dltrain, dlexport and classify on one new photo.
    @Test(.enabled(if: Repository.shared(cifar) != nil, Comment(rawValue: Repository.sharedMissing(cifar))))
    func ownImageFolderEndToEnd() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try Self.trainExportClassify(classes: ["cat": "my-cats", "dog": "my-dogs", "ship": "boats"], in: dir)
        let inspect = try Tool.run("dlexport", ["--inspect", "--json", "model.dlrt"], in: dir.path)
        #expect(inspect.status == 0 && inspect.out.contains("\"boats\"") && inspect.out.contains("\"my-cats\""))
        let photo = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("data/test/boats")).sorted().first)
        let one = try Tool.run("classify", ["--model", "model.dlrt", "--top", "3", "data/test/boats/\(photo)"], in: dir.path)
        #expect(one.status == 0, "\(one.err)")
        let labels = ["my-cats", "my-dogs", "boats"].filter { one.out.contains("\($0) ") }
        #expect(labels.count == 3, "top-3 over three classes names each of them: \(one.out)")
    }
}
