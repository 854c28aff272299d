import DeepLearning
import DLRuntime
import Foundation
import Testing
@testable import DLExport

/// dltrain's checkpoint through the built `dlexport` binary, `--inspect`,
/// and every refusal: exit status, message, and no output file left behind.
@Suite struct DLExportCLITests {
    /// A tiny MNIST-layout data set (uncompressed IDX, 12x12): enough for a one-epoch MLP run.
    static func writeTinyMNIST(to directory: String) throws {
        var g = SplitMix64(seed: 21)
        func idx(_ dims: [Int], _ bytes: [UInt8]) -> Data {
            var data = Data([0, 0, 0x08, UInt8(dims.count)])
            for d in dims { data.append(contentsOf: [0, 0, UInt8(d >> 8), UInt8(d & 255)]) }
            return data + Data(bytes)
        }
        for (prefix, count) in [("train", 40), ("t10k", 20)] {
            let labels = (0..<count).map { UInt8($0 % 10) }
            let pixels = labels.flatMap { label in (0..<144).map { i in i / 12 == Int(label) ? 255 : UInt8(g.next() % 60) } }
            try idx([count, 12, 12], pixels).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-images-idx3-ubyte"))
            try idx([count], labels).write(to: URL(fileURLWithPath: "\(directory)/\(prefix)-labels-idx1-ubyte"))
        }
    }

    @Test func dltrainCheckpointToModelAndInspect() throws {
        let dir = try ExportFixtures.makeTempDirectory()
        defer { ExportFixtures.remove(dir) }
        try Self.writeTinyMNIST(to: dir)
        var options = TrainingOptions()
        (options.model, options.data, options.epochs, options.batchSize, options.threads) = ("mlp", dir, 1, 10, 1)
        options.out = "\(dir)/mlp.ckpt"
        let trainer = try Trainer(options)
        try trainer.run()

        // What dltrain now records for the exporter.
        let checkpoint = try Checkpoint.read(from: "\(dir)/mlp.ckpt")
        #expect(checkpoint.input == InputContract(dataset: "mnist", channelOrder: "GRAY", mean: [0.1307], std: [0.3081],
                                                  resize: .stretch))
        #expect(checkpoint.samples == [InputSample(shape: [1, 12, 12], pixels: Array(trainer.data.test.imageBytes(0)),
                                                   label: trainer.data.test.labels[0], source: "mnist test image 0")])

        let run = try ExportFixtures.run(["mlp.ckpt"], in: dir)
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("wrote 'mlp.dlrt'") && run.out.contains("mlp trained on mnist"))
        let model = try Model(path: "\(dir)/mlp.dlrt")
        #expect(try model.selfTest() <= 1)
        #expect(model.strings("labels") == (0..<10).map(String.init))
        #expect(model.double("training.test_accuracy") == checkpoint.metrics.last?.testAccuracy)
        #expect(model.string("selftest.source") == "mnist test image 0 (label \(checkpoint.samples[0].label) '\(checkpoint.samples[0].label)')")
        #expect(model.inputs[0].shape == [1, 1, 12, 12])

        let text = try ExportFixtures.run(["--inspect", "mlp.dlrt"], in: dir)
        #expect(text.status == 0 && text.out.contains("self-test passed") && text.out.contains("4 nodes"), "\(text.out)\(text.err)")
        let json = try ExportFixtures.run(["--inspect", "mlp.dlrt", "--json"], in: dir)
        #expect(json.status == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect((object["nodes"] as? [Any])?.count == 4 && object["macs"] as? Int == 144 * 256 + 256 * 128 + 128 * 10)

        let labels = "\(dir)/digits.txt"
        try (0..<10).map { "digit \($0)" }.joined(separator: "\n").appending("\n").write(toFile: labels, atomically: true, encoding: .utf8)
        let relabelled = try ExportFixtures.run(["mlp.ckpt", "-o", "relabelled.dlrt", "--labels", "digits.txt"], in: dir)
        #expect(relabelled.status == 0, "\(relabelled.err)")
        #expect(try Model(path: "\(dir)/relabelled.dlrt").strings("labels") == (0..<10).map { "digit \($0)" })
    }

    /// Each refusal: non-zero exit, a message naming the problem, nothing written.
    @Test func refusals() throws {
        let dir = try ExportFixtures.makeTempDirectory()
        defer { ExportFixtures.remove(dir) }
        let good = try ExportFixtures.lenetCheckpoint()
        try good.write(to: "\(dir)/good.ckpt")
        var unknown = good
        unknown.architecture.name = "lenet6"
        try unknown.write(to: "\(dir)/unknown.ckpt")
        let bytes = try good.encoded()
        var corrupt = bytes
        corrupt[bytes.count / 3] ^= 1
        FileManager.default.createFile(atPath: "\(dir)/corrupt.ckpt", contents: Data(corrupt))
        FileManager.default.createFile(atPath: "\(dir)/truncated.ckpt", contents: Data(bytes.prefix(bytes.count / 2)))
        try "a\nb\n".write(toFile: "\(dir)/three.txt", atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: "\(dir)/adir", withIntermediateDirectories: false)
        let before = ExportFixtures.list(dir)

        let cases: [([String], String)] = [
            (["unknown.ckpt"], "unknown architecture 'lenet6'"),
            (["corrupt.ckpt"], "checksum mismatch"),
            (["truncated.ckpt"], "truncated"),
            (["missing.ckpt"], "no such file"),
            (["good.ckpt", "-o", "no/such/dir/m.dlrt"], "the directory 'no/such/dir' does not exist"),
            (["good.ckpt", "-o", "adir"], "is a directory"),
            (["good.ckpt", "-o", "good.ckpt"], "would overwrite the checkpoint"),
            (["good.ckpt", "--labels", "three.txt"], "2 labels given for a model with 10 outputs"),
            (["good.ckpt", "--labels", "absent.txt"], "--labels"),
            (["--inspect", "good.ckpt"], "is not a valid model"),
            (["good.ckpt", "--json"], "--json goes with --inspect"),
        ]
        for (arguments, message) in cases {
            let run = try ExportFixtures.run(arguments, in: dir)
            #expect(run.status == (arguments.contains("--json") ? 64 : 1), "\(arguments): exit \(run.status)")
            #expect(run.err.lowercased().contains(message.lowercased()), "\(arguments): \(run.err)")
            #expect(ExportFixtures.list(dir) == before, "\(arguments) left \(ExportFixtures.list(dir))")
            #expect(ExportFixtures.list("\(dir)/adir").isEmpty)
        }
    }

    /// A model whose stored self-test its own graph does not reproduce: reported, exit 1.
    @Test func inspectReportsAFailingSelfTest() throws {
        let dir = try ExportFixtures.makeTempDirectory()
        defer { ExportFixtures.remove(dir) }
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2])
        let y = try b.relu(x, name: "y")
        try b.output(y)
        try b.selfTest(inputs: [(x, [1, -1])], outputs: [(y, [1, -1])], rtol: 0, atol: 1e-6)  // relu(-1) is 0, not -1
        try b.write(to: "\(dir)/wrong.dlrt")
        let run = try ExportFixtures.run(["--inspect", "wrong.dlrt"], in: dir)
        #expect(run.status == 1 && run.out.contains("SELF-TEST FAILED"), "\(run.out)\(run.err)")
        let json = try ExportFixtures.run(["--inspect", "wrong.dlrt", "--json"], in: dir)
        #expect(json.status == 1 && json.out.contains("\"selftest_passed\": false"))
    }
}
