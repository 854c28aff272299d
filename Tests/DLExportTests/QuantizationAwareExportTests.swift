import Testing
import DLExport
@testable import DeepLearning

/// A checkpoint from `dltrain --qat` exports like any other: dlexport loads its
/// observer buffers, switches fake quantization off and writes the fp32 weights.
@Suite struct QuantizationAwareExportTests {
    @Test func exportsTheFP32WeightsOfAQuantizationAwareCheckpoint() throws {
        let model = try ExportFixtures.zooModel("lenet5")
        func checkpoint() -> Checkpoint {
            ExportFixtures.checkpoint(of: model, architecture: "lenet5", inputShape: [1, 28, 28], classes: 10,
                                      contract: ExportFixtures.mnistContract)
        }
        let plain = try ModelExporter.export(checkpoint())

        model.enableFakeQuantization()
        var g = SplitMix64(seed: 8)
        _ = model.train()(Tensor.randomNormal([4, 1, 28, 28], using: &g)) // the observers take in a batch
        model.eval()
        var qat = checkpoint()
        qat.architecture.config[ArchitectureDescription.fakeQuantizationKey] = .bool(true)
        #expect(qat.model["conv1.input_batches"]?.item() == 1)

        let exported = try ModelExporter.export(qat)
        #expect(exported.bytes == plain.bytes, "the same fp32 weights and self-test, not fake-quantized ones")

        // Without the architecture's mark the observer buffers do not fit the model.
        var unmarked = qat
        unmarked.architecture.config[ArchitectureDescription.fakeQuantizationKey] = nil
        #expect(throws: ExportError.self) { try ModelExporter.export(unmarked) }
    }
}
