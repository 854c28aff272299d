import DeepLearning
import DLRuntime
import Testing
@testable import DLExport

/// Small graphs and synthetic calibration data for the int8 tests (no ../shared).
enum Int8Fixtures {
    /// x [1, 2, 8, 8] -> conv1 (4, 3x3, relu) -> dw (depthwise 3x3, relu) -> pool (max 2x2)
    /// -> flat -> fc (5) [-> prob (softmax)], seeded weights.
    static func smallNet(softmax: Bool = true, seed: UInt64 = 4) throws -> ModelFile {
        var g = SplitMix64(seed: seed)
        func values(_ n: Int, _ bound: Float) -> [Float] { (0..<n).map { _ in Float.random(in: -bound...bound, using: &g) } }
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2, 8, 8])
        let w1 = try b.constant(name: "conv1.weight", shape: [4, 2, 3, 3], values: values(72, 0.4))
        let b1 = try b.constant(name: "conv1.bias", shape: [4], values: values(4, 0.1))
        let c1 = try b.conv2d(x, weight: w1, bias: b1, padding: (1, 1, 1, 1), activation: .relu, name: "conv1")
        let w2 = try b.constant(name: "dw.weight", shape: [4, 1, 3, 3], values: values(36, 0.5))
        let b2 = try b.constant(name: "dw.bias", shape: [4], values: values(4, 0.1))
        let c2 = try b.conv2d(c1, weight: w2, bias: b2, padding: (1, 1, 1, 1), groups: 4, activation: .relu, name: "dw")
        let pool = try b.maxPool2d(c2, kernel: (2, 2), name: "pool")
        let flat = try b.flatten(pool, name: "flat")
        let w3 = try b.constant(name: "fc.weight", shape: [5, 64], values: values(320, 0.25))
        let b3 = try b.constant(name: "fc.bias", shape: [5], values: values(5, 0.1))
        let fc = try b.dense(flat, weight: w3, bias: b3, name: "fc")
        try b.output(softmax ? try b.softmax(fc, name: "prob") : fc)
        return b.modelFile
    }

    /// `count` smooth inputs of `shape`'s size, and labelled held-out ones
    /// labelled by nothing in particular (agreement is what they measure).
    static func data(for file: ModelFile, calibration: Int = 48, evaluation: Int = 40) -> CalibrationData {
        let shape = file.tensors[file.inputs[0].index].shape
        let inputs = (0..<(calibration + evaluation)).map { ExportFixtures.syntheticInput(shape, seed: UInt64($0) + 100) }
        return CalibrationData(calibration: Array(inputs.prefix(calibration)),
                               evaluation: inputs.dropFirst(calibration).enumerated().map { .init(input: $1, label: $0 % 3) },
                               source: "synthetic")
    }

    /// Every other int8 op: x [1, 3, 8, 8] -> stem (conv 8, relu) -> a (conv, relu), b (conv)
    /// -> sum (add, relu) -> act (relu) -> cat (concat with stem) -> join (add of cat and
    /// widen, stem zero-padded to 16 channels as ResNet's option-A shortcut) -> avg (avg pool
    /// 2x2) -> gap (global avg pool) -> flat -> fc (4). `padValue` is widen's constant.
    static func residualNet(seed: UInt64 = 6, padValue: Float = 0) throws -> ModelFile {
        var g = SplitMix64(seed: seed)
        func values(_ n: Int, _ bound: Float) -> [Float] { (0..<n).map { _ in Float.random(in: -bound...bound, using: &g) } }
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 3, 8, 8])
        func conv(_ input: TensorID, _ cin: Int, _ name: String, _ activation: Activation) throws -> TensorID {
            let w = try b.constant(name: name + ".weight", shape: [8, cin, 3, 3], values: values(8 * cin * 9, 0.3))
            let bias = try b.constant(name: name + ".bias", shape: [8], values: values(8, 0.1))
            return try b.conv2d(input, weight: w, bias: bias, padding: (1, 1, 1, 1), activation: activation, name: name)
        }
        let stem = try conv(x, 3, "stem", .relu)
        let a = try conv(stem, 8, "a", .relu)
        let c = try conv(a, 8, "b", .none)
        let sum = try b.add(c, stem, activation: .relu, name: "sum")
        let act = try b.relu(sum, name: "act")
        let cat = try b.concat([act, stem], name: "cat")
        let widen = try b.pad(stem, pads: [0, 4, 0, 0, 0, 4, 0, 0], value: padValue, name: "widen")
        let join = try b.add(cat, widen, name: "join")
        let avg = try b.avgPool2d(join, kernel: (2, 2), name: "avg")
        let gap = try b.globalAvgPool(avg, name: "gap")
        let flat = try b.flatten(gap, name: "flat")
        let w = try b.constant(name: "fc.weight", shape: [4, 16], values: values(64, 0.5))
        try b.output(try b.dense(flat, weight: w, name: "fc"))
        return b.modelFile
    }

    static func layer(_ report: QuantizationReport, _ name: String) throws -> QuantizationReport.Layer {
        try #require(report.layers.first { $0.name == name }, "no layer '\(name)' in \(report.layers.map(\.name))")
    }

    /// The error message of `body`, or a recorded issue when it does not throw.
    static func refusal(_ body: () throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) -> String {
        do {
            try body()
            Issue.record("expected a refusal", sourceLocation: sourceLocation)
        } catch {
            return "\(error)"
        }
        return ""
    }
}

/// The int8 graph rewrite, checked on its structure (no runtime needed).
@Suite struct Int8GraphRewriteTests {
    @Test func everySupportedNodeBecomesInt8() throws {
        let file = try Int8Fixtures.smallNet()
        var activations: [Int: ActivationQuantization] = [:]
        for id in file.inputs + file.nodes.flatMap(\.outputs) { activations[id.index] = ActivationQuantization(range: -1...3) }
        let conv1 = file.nodes[0].outputs[0].index
        activations[conv1] = ActivationQuantization(range: 0...3)
        let int8 = try Int8GraphRewriter.quantized(file, activations: activations, int8Nodes: [0, 1, 2, 3, 4])
        #expect(int8.nodes.map(\.op) == [.quantize, .conv2d, .conv2d, .maxPool2d, .flatten, .dense, .dequantize, .softmax])
        func tensor(_ name: String) throws -> TensorDefinition { try #require(int8.tensors.first { $0.name == name }) }
        #expect(try tensor("x").dtype == .f32)
        #expect(try tensor("x.quantized").quantization == .perTensor(scale: Float(4.0 / 255), zeroPoint: -64))
        #expect(try tensor("conv1").quantization == .perTensor(scale: Float(3.0 / 255), zeroPoint: -128))
        // max_pool2d and flatten carry their input's quantization, whatever calibration said.
        #expect(try tensor("pool").quantization == tensor("dw").quantization)
        #expect(try tensor("flat").quantization == tensor("dw").quantization)
        #expect(try tensor("fc").dtype == .i8)
        #expect(try tensor("prob").dtype == .f32)
        // fc's weight: per channel max|w| / 127; bias scale s_x * s_w[c], computed here independently.
        let weights = GraphBuilder.floats(littleEndian: try #require(file.tensors.first { $0.name == "fc.weight" }?.data))
        let bias = GraphBuilder.floats(littleEndian: try #require(file.tensors.first { $0.name == "fc.bias" }?.data))
        let scales = (0..<5).map { c in weights[(c * 64)..<((c + 1) * 64)].map(abs).max()! / 127 }
        let weight = try tensor("fc.weight.int8")
        #expect(weight.dtype == .i8 && weight.quantization == .perChannel(axis: 0, scales: scales, zeroPoints: [0, 0, 0, 0, 0]))
        let codes = try #require(weight.data).map { Int8(bitPattern: $0) }
        #expect(codes.count == 320 && codes.allSatisfy { $0 >= -127 })
        for c in 0..<5 { #expect(codes[(c * 64)..<((c + 1) * 64)].map { abs(Int($0)) }.max() == 127) }
        let inputScale = Float(4.0 / 255)
        let biasTensor = try tensor("fc.bias.int8")
        #expect(biasTensor.dtype == .i32)
        #expect(biasTensor.quantization == .perChannel(axis: 0, scales: scales.map { inputScale * $0 }, zeroPoints: [0, 0, 0, 0, 0]))
        let biasCodes = try #require(biasTensor.data).withUnsafeBytes { Array($0.bindMemory(to: Int32.self)) }
        #expect(biasCodes == (0..<5).map { Int32((Double(bias[$0]) / Double(inputScale * scales[$0])).rounded()) })
        // No fp32 weight of an int8 layer is left behind; the file is format 1.1.
        #expect(!int8.tensors.contains { $0.name == "fc.weight" })
        let bytes = try int8.serialize()
        #expect(bytes[10] == 1 && bytes[11] == 0)
        #expect(try file.serialize()[10] == 0)
    }

    @Test func fp32NodesReadDequantizedTensors() throws {
        let file = try Int8Fixtures.smallNet(softmax: false)
        let activations = Dictionary(uniqueKeysWithValues: (file.inputs + file.nodes.flatMap(\.outputs)).map {
            ($0.index, ActivationQuantization(range: -1...1))
        })
        // conv1 int8, dw fp32 (reads conv1 dequantized), pool..fc int8 again from a quantized dw.
        let int8 = try Int8GraphRewriter.quantized(file, activations: activations, int8Nodes: [0, 2, 3, 4])
        #expect(int8.nodes.map(\.op) == [.quantize, .conv2d, .dequantize, .conv2d, .quantize, .maxPool2d, .flatten, .dense,
                                         .dequantize])
        #expect(int8.tensors[int8.outputs[0].index].name == "fc.dequantized")
        #expect(int8.tensors[int8.outputs[0].index].dtype == .f32)
    }
}

/// Int8 models made and run in the C runtime.
@Suite struct Int8ExportTests {
    @Test func smallNetAgreesWithFP32() throws {
        let file = try Int8Fixtures.smallNet()
        let quantized = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file))
        let report = quantized.report
        #expect((report.top1Agreement ?? 0) >= 0.9, "\(report.text)")
        for name in ["conv1", "fc"] {
            let layer = try Int8Fixtures.layer(report, name)
            #expect(layer.int8, "\(report.text)")
            #expect((layer.isolatedSQNR ?? 0) >= 20 && (layer.modelSQNR ?? 0) > 10, "\(report.text)")
            #expect(layer.quantization != nil && layer.range != nil)
        }
        #expect(try Int8Fixtures.layer(report, "prob").reason == "softmax has no int8 kernel")
        #expect(report.text.contains("conv1") && report.text.contains("igemm"))
        // The file: loads, passes its own self-test, says how it was made.
        let model = try Model(bytes: quantized.bytes)
        #expect(try model.selfTest() <= 1)
        #expect(model.metadata.contains { $0.key == "quantization.method" })
        #expect(quantized.file.metadata.contains { $0.key == .quantizationTop1Agreement && $0.value == .f64(report.top1Agreement ?? -1) })
    }

    @Test func residualOpsRunInt8() throws {
        let file = try Int8Fixtures.residualNet()
        let report = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file)).report
        #expect(report.int8Layers == report.layers.count, "\(report.text)")
        #expect((report.top1Agreement ?? 0) >= 0.9, "\(report.text)")
        for layer in report.layers { #expect((layer.modelSQNR ?? 0) > 20, "\(layer.name): \(report.text)") }
        #expect(try Int8Fixtures.layer(report, "widen").kernel == "pad int8 \(Int8KernelName.current.isa)")
    }

    /// A pad with another constant may not fit its int8 range: it stays fp32, the weighted layers still run int8.
    @Test func padWithANonzeroConstantStaysFP32() throws {
        let file = try Int8Fixtures.residualNet(padValue: 0.25)
        let report = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file)).report
        let widen = try Int8Fixtures.layer(report, "widen")
        #expect(!widen.int8 && widen.reason == "its constant is not 0", "\(report.text)")
        for name in ["stem", "a", "b", "fc"] { #expect(try Int8Fixtures.layer(report, name).int8, "\(report.text)") }
    }

    @Test(arguments: ["lenet5", "mlp"])
    func zooModelAgreesWithFP32(_ name: String) throws {
        let lowered = try LoweredModel(try ExportFixtures.zooModel(name), inputShape: [1, 28, 28])
        let file = lowered.builder.modelFile
        for method in [CalibrationMethod.minmax, .entropy] {
            var options = QuantizationOptions(method: method)
            options.minimumSQNR = 15
            let report = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file, calibration: 32), options: options).report
            #expect((report.top1Agreement ?? 0) >= 0.9, "\(name) \(method): \(report.text)")
            #expect(report.int8Layers >= 3, "\(report.text)")
            for layer in report.layers where layer.int8 && (layer.op == "conv2d" || layer.op == "dense") {
                #expect(layer.isolatedSQNR != nil && layer.modelSQNR != nil, "\(layer.name)")
            }
        }
    }

    @Test func keepFP32AndSlowdownRuleAndForce() throws {
        let file = try Int8Fixtures.smallNet()
        var options = QuantizationOptions()
        options.keepFP32 = ["fc"]
        options.isa = "avx2"  // the depthwise stride-1 rule holds there
        let report = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file), options: options).report
        #expect(try Int8Fixtures.layer(report, "fc").reason == "kept fp32 by --keep-fp32")
        let dw = try Int8Fixtures.layer(report, "dw")
        #expect(!dw.int8 && (dw.reason ?? "").contains("0.90x"), "\(dw)")
        // pool and flat read the fp32 dw output: not worth quantizing for them alone.
        #expect(try !Int8Fixtures.layer(report, "pool").int8)
        options.forceInt8 = ["dw"]
        let forced = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file), options: options).report
        #expect(try Int8Fixtures.layer(forced, "dw").int8 && Int8Fixtures.layer(forced, "dw").reason == "forced")
        #expect(try Int8Fixtures.layer(forced, "dw").kernel == "depthwise int8 avx2")
    }

    /// igemm.c's dispatch: AVX-512 without VNNI runs AVX2's int8 GEMM and row
    /// kernels, so AVX2's slowdown rules and kernel names apply there.
    @Test func avx512WithoutVNNIRunsAVX2Int8Kernels() {
        #expect(Int8KernelName(isa: "avx512", hasVNNI: false).int8ISA == "avx2")
        #expect(Int8KernelName(isa: "avx512", hasVNNI: true).int8ISA == "avx512")
        #expect(Int8KernelName(isa: "avx2", hasVNNI: false).int8ISA == "avx2")
        #expect(Int8KernelName(isa: "neon", hasVNNI: false).int8ISA == "neon")
    }

    @Test func lowSQNRLayersStayFP32() throws {
        let file = try Int8Fixtures.smallNet()
        var options = QuantizationOptions()
        options.minimumSQNR = 200  // beyond any 8-bit layer
        let message = Int8Fixtures.refusal { _ = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file), options: options) }
        #expect(message.contains("no layer can run in int8") && message.contains("SQNR"), "\(message)")
        options.forceInt8 = ["conv1"]
        let report = try Int8Exporter.quantize(file, data: Int8Fixtures.data(for: file), options: options).report
        #expect(report.layers.filter(\.int8).map(\.name) == ["conv1"], "\(report.text)")
        #expect(try Int8Fixtures.layer(report, "fc").reason?.contains("< 200.0 dB") == true)
    }

    @Test func refusals() throws {
        let file = try Int8Fixtures.smallNet()
        let data = Int8Fixtures.data(for: file)
        var empty = data
        empty.calibration = []
        #expect(Int8Fixtures.refusal { _ = try Int8Exporter.quantize(file, data: empty) }.contains("calibration data is empty"))
        var wrongShape = data
        wrongShape.calibration[3] = [Float](repeating: 0, count: 784)
        let shape = Int8Fixtures.refusal { _ = try Int8Exporter.quantize(file, data: wrongShape) }
        #expect(shape.contains("784") && shape.contains("[1, 2, 8, 8]") && shape.contains("128"), "\(shape)")
        var options = QuantizationOptions()
        options.forceInt8 = ["prob"]
        let forced = Int8Fixtures.refusal { _ = try Int8Exporter.quantize(file, data: data, options: options) }
        #expect(forced.contains("'prob'") && forced.contains("no int8 kernel"), "\(forced)")
        options.forceInt8 = ["nonesuch"]
        #expect(Int8Fixtures.refusal { _ = try Int8Exporter.quantize(file, data: data, options: options) }.contains("nonesuch"))
        var nanWeight = file
        let index = try #require(nanWeight.tensors.firstIndex { $0.name == "dw.weight" })
        var weights = GraphBuilder.floats(littleEndian: nanWeight.tensors[index].data!)
        weights[5] = .nan
        nanWeight.tensors[index].data = GraphBuilder.littleEndianBytes(weights)
        #expect(Int8Fixtures.refusal { _ = try Int8Exporter.quantize(nanWeight, data: data) }.contains("dw.weight"))
        var infinite = data
        infinite.calibration[2][10] = .infinity
        let activation = Int8Fixtures.refusal { _ = try Int8Exporter.quantize(file, data: infinite) }
        #expect(activation.contains("'x'") && activation.contains("sample 2"), "\(activation)")
    }
}
