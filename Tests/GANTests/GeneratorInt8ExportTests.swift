import Foundation
import Testing
import DLSupport
@testable import DeepLearning
@testable import DLExport
import DLRuntime

/// `dlexport gan.ckpt --int8`: the generator's transposed convolutions in
/// int8, calibrated on latents.
@Suite struct GeneratorInt8ExportTests {
    @Test func transposedConvolutionsRunInt8() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        let checkpointPath = dir + "/gan.ckpt"
        try GANFixture.randomGeneratorCheckpoint().write(to: checkpointPath)
        // Without the slowdown rules (below), so that every transposed convolution that can runs int8.
        var options = QuantizationOptions()
        options.slowdownRules = []
        let quantized = try Int8Exporter.export(checkpointAt: checkpointPath, to: dir + "/gan-int8.dlrt", calibrationData: nil,
                                                samples: 64, evaluationSamples: 32, quantization: options)
        let report = quantized.report
        // project and up1 (ReLU fused) run int8; up2's fused tanh has no int8 kernel.
        #expect(report.layers.map(\.int8) == [true, true, false], "\(report.text)")
        #expect(report.layers[2].reason?.contains("tanh") == true)
        #expect(report.layers[0].kernel.hasPrefix("igemm"))
        #expect(report.calibrationSamples == 64 && report.evaluationSamples == 32)
        #expect(report.fp32Accuracy == nil && report.top1Agreement == nil)
        #expect(report.outputSQNR > 25, "\(report.text)")
        #expect(report.text.contains("held-out latents: output SQNR"))

        // Per-channel weights on the output-channel axis (1 of [C, M, kh, kw]), one scale per output channel.
        for node in quantized.file.nodes where node.op == .convTranspose2d {
            let weight = quantized.file.tensors[node.inputs[1]!.index]
            guard weight.dtype == .i8 else { continue }
            guard case .perChannel(let axis, let scales, _) = weight.quantization else {
                Issue.record("\(weight.name) is not per-channel"); continue
            }
            #expect(axis == 1 && scales.count == weight.shape[1])
        }
        #expect(quantized.file.metadata.contains { $0.key == .quantizationOutputSQNR })
        #expect(!quantized.file.metadata.contains { $0.key == .quantizationTestAccuracy })

        // The written file, in a fresh runtime model, against the fp32 generator on held-out latents.
        let fp32 = try ModelExporter.export(try Checkpoint.read(from: checkpointPath))
        let (a, b) = (try Session(model: try Model(bytes: fp32.bytes)),
                      try Session(model: try Model(path: dir + "/gan-int8.dlrt")))
        var noise = SignalToQuantizationNoise()
        let latents = PortableNormal.latents(seed: 77, count: 16, size: 100)
        for k in 0..<16 {
            let z = Array(latents[(k * 100)..<((k + 1) * 100)])
            noise.add(reference: try a.run([z])[0], quantized: try b.run([z])[0])
        }
        #expect(noise.decibels > 25)
    }

    /// The measured rules keep a shallow strided transposed convolution fp32
    /// on AVX-512 and every strided one on AVX2 (int8 ran at 0.92x there);
    /// the stride-1 projection stays int8.
    @Test func slowdownRulesKeepStridedTransposedConvolutionsFP32() throws {
        let file = try ModelExporter.export(try GANFixture.randomGeneratorCheckpoint()).file
        let (project, up1) = (file.nodes[0], file.nodes[1])
        #expect(!project.isStridedTransposedConvolution && up1.isStridedTransposedConvolution)
        for isa in ["avx512", "avx2"] {
            #expect(Int8SlowdownRule.rule(for: project, in: file, isa: isa) == nil)
            #expect(Int8SlowdownRule.rule(for: up1, in: file, isa: isa) != nil, "\(isa)")
        }
        #expect(Int8SlowdownRule.rule(for: up1, in: file, isa: "neon") == nil)
    }

    @Test func calibrationDataIsRefusedForAGenerator() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        try GANFixture.randomGeneratorCheckpoint().write(to: dir + "/gan.ckpt")
        #expect(throws: ExportError.self) {
            try Int8Exporter.export(checkpointAt: dir + "/gan.ckpt", to: dir + "/g.dlrt", calibrationData: dir, samples: 8)
        }
        #expect(throws: ExportError.self) {
            try Int8Exporter.export(checkpointAt: dir + "/gan.ckpt", to: dir + "/g.dlrt", calibrationData: nil, samples: 0)
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/g.dlrt"))
    }

    @Test func transposedConvolutionAccumulatorBound() throws {
        // [C 64, M 1, 4, 4] at stride 2: an output sees ceil(4/2)^2 taps of each of 64 channels.
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 64, 14, 14])
        let w = try b.constant(name: "w", shape: [64, 1, 4, 4], values: [Float](repeating: 0.01, count: 64 * 16))
        try b.output(try b.convTranspose2d(x, weight: w, stride: (2, 2), padding: (1, 1, 1, 1), name: "up"))
        let file = b.modelFile
        #expect(file.nodes[0].inputsPerOutput(in: file) == 64 * 2 * 2)
        #expect(file.nodes[0].weightChannelAxis == 1)
    }
}
