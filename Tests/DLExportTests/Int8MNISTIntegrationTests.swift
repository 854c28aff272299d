import DeepLearning
import Testing
import ToolTestSupport
@testable import DLExport

/// The bundled, trained LeNet-5 (models/mnist-lenet5.dlrt) quantized with
/// real MNIST calibration data from ../shared, by every method: int8 must
/// keep its accuracy. Skips without ../shared.
@Suite struct Int8MNISTIntegrationTests {
    @Test(arguments: ["minmax", "percentile", "entropy"])
    func bundledLeNetKeepsItsAccuracy(_ method: String) throws {
        guard let mnist = Repository.shared("datasets/mnist") else {
            print(Repository.sharedMissing("datasets/mnist"))
            return
        }
        let fp32 = try ModelFile(decoding: try FileIO.read(Repository.root + "/models/mnist-lenet5.dlrt"))
        let data = try CalibrationData.load(mnist, contract: ExportFixtures.mnistContract, inputShape: [1, 28, 28], classes: 10,
                                            samples: 128, evaluationSamples: 500)
        let quantized = try Int8Exporter.quantize(fp32, data: data, options: QuantizationOptions(method: CalibrationMethod(method)!))
        let report = quantized.report
        print(report.text)
        #expect((report.fp32Accuracy ?? 0) > 0.98)
        #expect((report.int8Accuracy ?? 0) >= (report.fp32Accuracy ?? 1) - 0.01, "\(report.text)")
        #expect((report.top1Agreement ?? 0) >= 0.98, "\(report.text)")
        #expect(report.int8Layers >= 5, "\(report.text)")
    }
}
