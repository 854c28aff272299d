import DeepLearning
import Foundation
import Testing
import ToolTestSupport
@testable import DLExport

/// Reading models back (`ModelFile(decoding:)`) and what `--inspect` reports.
@Suite struct InspectionTests {
    static let fixtures = Repository.root + "/Tests/Fixtures"

    @Test func decodingInvertsSerialization() throws {
        let exported = try ModelExporter.export(try ExportFixtures.lenetCheckpoint())
        #expect(try ModelFile(decoding: exported.bytes) == exported.file)
        // The committed PyTorch fixtures too: decode, re-encode, same bytes.
        for name in ["lenet5", "resnet_block", "inception_block", "dcgan_block", "op_coverage"] {
            let bytes = try #require(FileManager.default.contents(atPath: "\(Self.fixtures)/\(name).dlrt")).map { $0 }
            #expect(try ModelFile(decoding: bytes).serialize() == bytes, "\(name)")
        }
    }

    @Test func damagedBytesAreRefusedNotTrapped() throws {
        let bytes = try ModelExporter.export(try ExportFixtures.lenetCheckpoint()).bytes
        for cut in stride(from: 0, to: bytes.count, by: max(1, bytes.count / 300)) {
            #expect(throws: ExportError.self) { try ModelFile(decoding: Array(bytes.prefix(cut))) }
        }
        var random = SplitMix64(seed: 4)
        for _ in 0..<300 {
            var damaged = bytes
            damaged[Int(random.next() % UInt64(bytes.count))] ^= UInt8(1 << (random.next() % 8))
            #expect(throws: ExportError.self) { try ModelFile(decoding: damaged) }  // every byte is checksummed
        }
    }

    /// The graph's MACs agree with the zoo's analytic count (FlopCounting),
    /// and the parameters with the model's minus what folding removed.
    @Test(arguments: ["lenet5", "resnet20", "vgg11-bn-cifar"])
    func countsAgreeWithTheZoo(name: String) throws {
        let model = try ExportFixtures.zooModel(name)
        let shape = try ModelZoo.entry(name).defaultInputShape
        let lowered = try LoweredModel(model, inputShape: shape)
        let inspection = try ModelInspection(lowered.builder.modelFile, path: "m.dlrt", fileSize: 0)
        #expect(inspection.macs == (try model.flops(inputShape: shape).macs))
        // A folded batch norm's γ and β (2C) become the conv's bias (C; these convs have none, or add to it).
        var removed = 0
        for (_, module) in model.namedModules() {
            guard let norm = module as? BatchNorm<Float> else { continue }
            removed += name == "vgg11-bn-cifar" ? 2 * norm.featureCount : norm.featureCount
        }
        #expect(inspection.parameters == model.parameterCount - removed)
    }

    @Test func textAndJSONReportTheSameModel() throws {
        let exported = try ModelExporter.export(try ExportFixtures.lenetCheckpoint())
        let inspection = try ModelInspection(exported.file, path: "lenet5.dlrt", fileSize: exported.bytes.count,
                                             runtimeCheck: .init(runtime: "test", selfTestError: 0.25))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(inspection.json.utf8)) as? [String: Any])
        #expect(object["size_bytes"] as? Int == exported.bytes.count)
        #expect(object["macs"] as? Int == 416_520 && object["flops"] as? Int == 833_040)
        #expect(object["parameters"] as? Int == 61_706)
        let metadata = try #require(object["metadata"] as? [String: Any])
        #expect(metadata["labels"] as? [String] == (0..<10).map { "class \($0)" })
        #expect(metadata["input.mean"] as? [Double] == [0.1307])
        let nodes = try #require(object["nodes"] as? [[String: Any]])
        #expect(nodes.map { $0["op"] as? String } == ["conv2d", "max_pool2d", "conv2d", "max_pool2d", "flatten", "dense", "dense", "dense"])
        let first = nodes[0]
        #expect(first["inputs"] as? [String] == ["input", "conv1.weight", "conv1.bias"])
        #expect((first["attributes"] as? [String: Any])?["activation"] as? String == "relu")
        #expect((first["attributes"] as? [String: Any])?["pads"] as? [Int] == [2, 2, 2, 2])
        #expect(((first["outputs"] as? [[String: Any]])?.first?["shape"] as? [Int]) == [1, 6, 28, 28])
        #expect(first["macs"] as? Int == 6 * 28 * 28 * 25)
        #expect((object["runtime_check"] as? [String: Any])?["selftest_passed"] as? Bool == true)

        let text = inspection.text
        #expect(text.contains("8 nodes, 61,706 parameters"))
        #expect(text.contains("416,520 MACs (833,040 FLOPs) per example"))
        #expect(text.contains("self-test passed"))
        #expect(text.contains("model.name") && text.contains("lenet5-mnist"))
        #expect(text.contains("conv2d") && text.contains("activation relu") && text.contains("[1,6,28,28]"))
    }
}
