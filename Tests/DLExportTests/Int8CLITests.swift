import DeepLearning
import DLRuntime
import Foundation
import Testing
@testable import DLExport

/// `dlexport --int8` through the built binary, on a tiny MNIST-layout data
/// set written here: a written, self-testing model and JSON report, and
/// refusals that leave no file behind.
@Suite struct Int8CLITests {
    private static func setUp() throws -> String {
        let dir = try ExportFixtures.makeTempDirectory()
        try DLExportCLITests.writeTinyMNIST(to: dir)
        let mlp = try ExportFixtures.zooModel("mlp", inputShape: [1, 12, 12])
        try ExportFixtures.checkpoint(of: mlp, architecture: "mlp", inputShape: [1, 12, 12], classes: 10,
                                      contract: ExportFixtures.mnistContract).write(to: "\(dir)/mlp.ckpt")
        try ExportFixtures.lenetCheckpoint().write(to: "\(dir)/lenet.ckpt")
        return dir
    }

    @Test func int8ExportWritesModelAndReport() throws {
        let dir = try Self.setUp()
        defer { ExportFixtures.remove(dir) }
        let run = try ExportFixtures.run(["mlp.ckpt", "--int8", "--calibrate", dir, "--samples", "16", "--method", "minmax",
                                          "-o", "mlp8.dlrt", "--json-report", "report.json"], in: dir)
        #expect(run.status == 0, "\(run.out)\(run.err)")
        #expect(run.out.contains("int8") && run.out.contains("top-1 agreement"), "\(run.out)")
        let model = try Model(path: "\(dir)/mlp8.dlrt")
        #expect(try model.selfTest() <= 1)
        #expect(model.string("quantization.method") == "minmax")
        #expect(model.metadata.contains { $0.key == "quantization.samples" && $0.value == .i64(16) })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/report.json"))) as? [String: Any])
        #expect((object["layers"] as? [Any])?.isEmpty == false)
        #expect(object["evaluation_samples"] as? Int == 20)
        // --inspect shows the int8 graph and runs its self-test.
        let inspect = try ExportFixtures.run(["--inspect", "mlp8.dlrt"], in: dir)
        #expect(inspect.status == 0 && inspect.out.contains("quantize") && inspect.out.contains("self-test passed"),
                "\(inspect.out)\(inspect.err)")
    }

    @Test func refusalsLeaveNothingBehind() throws {
        let dir = try Self.setUp()
        defer { ExportFixtures.remove(dir) }
        // MNIST 12x12 data for a 28x28 model: both shapes named.
        let shape = try ExportFixtures.run(["lenet.ckpt", "--int8", "--calibrate", dir, "-o", "out.dlrt"], in: dir)
        #expect(shape.status == 1 && shape.err.contains("[1, 12, 12]") && shape.err.contains("[1, 28, 28]"), "\(shape.err)")
        let missing = try ExportFixtures.run(["mlp.ckpt", "--int8", "--calibrate", "\(dir)/nowhere", "-o", "out.dlrt"], in: dir)
        #expect(missing.status == 1 && missing.err.contains("nowhere"), "\(missing.err)")
        let forced = try ExportFixtures.run(["mlp.ckpt", "--int8", "--calibrate", dir, "--samples", "8", "--force-int8", "nonesuch",
                                             "-o", "out.dlrt"], in: dir)
        #expect(forced.status == 1 && forced.err.contains("nonesuch"), "\(forced.err)")
        for flags in [["--int8"], ["--calibrate", dir], ["--int8", "--calibrate", dir, "--method", "kl"],
                      ["--int8", "--calibrate", dir, "--samples", "0"], ["--int8", "--calibrate", dir, "--json"], ["--json-report", "r.json"]] {
            let bad = try ExportFixtures.run(["mlp.ckpt", "-o", "out.dlrt"] + flags, in: dir)
            #expect(bad.status == 64, "\(flags): \(bad.err)")
        }
        #expect(!ExportFixtures.list(dir).contains { $0.hasPrefix("out") }, "\(ExportFixtures.list(dir))")
    }
}
