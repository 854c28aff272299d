// dlrt-gan-quality: the generator quality gate of issue #6 (docs/GAN.md).
//
//   dlrt-gan-quality GENERATOR.dlrt [--classifier models/mnist-lenet5.dlrt] [--data ../shared/datasets/mnist]
//                    [-n 1000] [--seed 1] [--threads N] [--record] [--json FILE]
//
// Samples n images from the generator in the C runtime (latents of
// `dlsample --seed`), quantises them to 8 bits as dlsample's PNGs are, and
// classifies them with the classifier through its input contract:
//   - the fraction classified with probability >= 0.9 (goal >= 0.80);
//   - the entropy of the predicted-class histogram (goal >= 2.1 nats of ln 10 = 2.30);
//   - the Fréchet distance between the classifier's penultimate features
//     (the input of its last node) of the samples and of the first n test
//     images, and the same for an untrained generator of the same architecture;
//   - samples per second of the generator in the C runtime, one thread and all.
// A conditional generator (AC-GAN) draws class k mod K for sample k, as
// dlsample does; the gate then also reports how many samples the classifier
// puts in the class they were drawn for.
// --record writes the figures into the generator's metadata (quality.*).
import ArgumentParser
import DeepLearning
import DLExport
import DLImage
import DLRuntime
import DLSample
import DLSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

@main
struct GANQuality: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "dlrt-gan-quality",
                                                    abstract: "The generator quality gate: LeNet confidence, class entropy, Fréchet distance, samples/s.")

    @Argument(help: "The generator .dlrt.") var generator: String
    @Option(help: "The classifier .dlrt (its input contract is applied).") var classifier = "models/mnist-lenet5.dlrt"
    @Option(help: "MNIST directory: the test images of the Fréchet reference.") var data = "../shared/datasets/mnist"
    @Option(name: .short, help: "Samples (and test images).") var n = 1000
    @Option(help: "Latent seed.") var seed: UInt64 = 1
    @Option(help: "Threads for the multi-threaded throughput figure (default: every CPU).") var threads: Int?
    @Flag(help: "Write the figures into the generator's metadata.") var record = false
    @Option(help: "Also write the figures as JSON here.") var json: String?

    func run() throws {
        let bytes = try FileIO.read(generator)
        let trained = try Generator(model: try Model(bytes: bytes), path: generator)
        let lenet = try Model(path: classifier)
        let features = try FeatureExtractor(lenet)

        let latents = PortableNormal.latents(seed: seed, count: n, size: trained.latentSize, code: trained.classCode)
        let samples = try features.run(try trained.images(latents: latents, threads: ParallelFor.processorCount))
        let test = try MNIST.load(directory: data, split: .test)
        let real = try features.run(try (0..<min(n, test.count)).map { i in
            try Image(width: test.width, height: test.height, channels: 1, pixels: Array(test.imageBytes(i)))
        })

        // The reference: the same architecture untrained (N(0, 0.02) weights, unit batch-norm statistics).
        let untrained = try Generator(model: try Model(bytes: try untrainedGenerator(like: trained).bytes))
        let baseline = try features.run(try untrained.images(latents: latents, threads: ParallelFor.processorCount))

        let confident = GeneratorQuality.confidentFraction(logits: samples.logits, classes: features.classes)
        // The same figure for real digits: how far from it the generator is.
        let confidentReal = GeneratorQuality.confidentFraction(logits: real.logits, classes: features.classes)
        let predicted = GeneratorQuality.predictions(logits: samples.logits, classes: features.classes)
        let entropy = GeneratorQuality.histogramEntropy(predicted, classes: features.classes)
        let frechet = GeneratorQuality.frechetDistance(samples.features, real.features, dimension: features.dimension)
        let frechetUntrained = GeneratorQuality.frechetDistance(baseline.features, real.features, dimension: features.dimension)
        let frechetTest = GeneratorQuality.frechetDistance(
            real.features, try features.run(try (0..<min(n, test.count)).map { i in
                let k = test.count - 1 - i
                return try Image(width: test.width, height: test.height, channels: 1, pixels: Array(test.imageBytes(k)))
            }).features, dimension: features.dimension)
        // A conditional generator's samples, classified as the class they were drawn for.
        let asked = trained.classCode.map { code in
            Double(zip(predicted, code.cycling(count: n)).filter { $0 == $1 }.count) / Double(n)
        }
        var histogram = [Int](repeating: 0, count: features.classes)
        for p in predicted { histogram[p] += 1 }

        let one = try throughput(trained, threads: 1)
        let all = try throughput(trained, threads: threads ?? ParallelFor.processorCount)
        let method = "\(n) samples (PortableNormal seed \(seed)) quantised to 8 bits, classified by \(lenet.string("model.name") ?? classifier); "
            + "Fréchet distance on its \(features.dimension) penultimate features ('\(features.featureName)') against the first \(real.count) \(test.count == 10000 ? "MNIST " : "")test images"
        print("generator \(generator): \(trained.latentSize)-value latents -> \(trained.imageShape)")
        print(formatted("confident (p >= 0.9): %.1f%% (goal >= 80%%; test images: %.1f%%)", confident * 100, confidentReal * 100))
        let uniformEntropy: Double = log(Double(features.classes))
        if let asked { print(formatted("classified as the class drawn: %.1f%% (conditional generator)", asked * 100)) }
        print(formatted("class entropy: %.3f nats of %.3f (goal >= 2.1); histogram ", entropy, uniformEntropy)
              + histogram.map(String.init).joined(separator: " "))
        print(formatted("Fréchet distance: %.2f (untrained generator %.2f; test images against other test images %.2f)",
                        frechet, frechetUntrained, frechetTest))
        print(formatted("C runtime generator: %.0f samples/s on 1 thread, %.0f on %d (batch 64)", one, all,
                        threads ?? ParallelFor.processorCount))
        print("method: \(method)")

        if let json {
            let document = JSON.object([
                ("generator", .string(generator)), ("samples", .int(n)), ("seed", .string(String(seed))),
                ("confident_fraction", .number(confident)), ("confident_fraction_test_images", .number(confidentReal)),
                ("class_entropy", .number(entropy)),
                ("class_agreement", asked.map { .number($0) } ?? .null),
                ("class_histogram", .array(histogram.map { .int($0) })),
                ("frechet_distance", .number(frechet)), ("frechet_distance_untrained", .number(frechetUntrained)),
                ("frechet_distance_test_vs_test", .number(frechetTest)),
                ("samples_per_second_1_thread", .number(one)), ("samples_per_second_all_threads", .number(all)),
                ("method", .string(method)),
            ])
            try FileIO.writeAtomically(Array((document.text(indent: 2) + "\n").utf8), to: json)
        }
        if record {
            let updated = try GeneratorExporter.settingMetadata([
                (.qualityMethod, .string(method)),
                (.qualityConfidentFraction, .f64(confident)),
                (.qualityClassEntropy, .f64(entropy)),
                (.qualityFrechetDistance, .f64(frechet)),
                (.qualityFrechetDistanceUntrained, .f64(frechetUntrained)),
            ], in: bytes)
            try FileIO.writeAtomically(updated, to: generator)
            print("recorded quality.* in \(generator)")
        }
    }

    /// A random-init generator of the trained one's architecture, exported.
    func untrainedGenerator(like trained: Generator) throws -> ExportedModel {
        let shape = trained.imageShape
        var architecture = GenerativeZoo.architecture("dcgan", imageShape: shape, classNames: trained.labels)
        architecture["latent_size"] = .int(trained.latentSize)
        let model = try GenerativeZoo.make(architecture, seed: 12345)
        return try ModelExporter.export(Checkpoint(architecture: architecture, model: model.stateDict()))
    }

    /// Samples per second for 512 samples in batches of 64 (after one warm-up batch).
    func throughput(_ generator: Generator, threads: Int) throws -> Double {
        let latents = PortableNormal.latents(seed: 99, count: 512, size: generator.latentSize)
        _ = try generator.outputs(latents: Array(latents.prefix(64 * generator.latentSize)), threads: threads)
        let start = monotonicSeconds()
        _ = try generator.outputs(latents: latents, threads: threads)
        return 512 / (monotonicSeconds() - start)
    }
}

/// The classifier run with its intermediate tensors kept: logits and the
/// input of its last node (LeNet-5's fc2 output, 84 values).
struct FeatureExtractor {
    let model: Model
    let table: [Float]
    let classes: Int
    let dimension: Int
    let featureIndex: Int
    let featureName: String

    init(_ model: Model) throws {
        self.model = model
        guard model.inputs.count == 1, model.inputs[0].shape.count == 4, model.inputs[0].shape[1] == 1 else {
            throw ValidationError("the classifier must take [N, 1, H, W] images")
        }
        let range = model.doubles("input.pixel_range") ?? [0, 1]
        table = try Image.normalizationTable(channels: 1, mean: (model.doubles("input.mean") ?? [0]).map(Float.init),
                                             std: (model.doubles("input.std") ?? [1]).map(Float.init),
                                             range: Float(range[0])...Float(range[1]))
        classes = model.outputs[0].shape.last ?? 0
        // The penultimate features: the rank-2 tensor named like the last hidden dense layer.
        let session = try Session(model: model, keepTensors: true)
        var best: (index: Int, name: String, width: Int)?
        for index in 0..<model.tensorCount {
            let info = try session.tensorInfo(at: index)
            guard info.shape.count == 2, info.name != model.outputs[0].name, info.shape[1] != classes else { continue }
            if let current = best, current.width <= info.shape[1] { continue }
            best = (index, info.name, info.shape[1])
        }
        guard let best else { throw ValidationError("cannot find the classifier's penultimate features") }
        (featureIndex, featureName, dimension) = (best.index, best.name, best.width)
    }

    /// Logits and features of `images`, in batches of 100.
    func run(_ images: [Image]) throws -> (logits: [Float], features: [Float], count: Int) {
        let session = try Session(model: model, threads: ParallelFor.processorCount, batch: 100, keepTensors: true)
        let size = images.first.map { $0.width * $0.height } ?? 0
        var logits: [Float] = [], features: [Float] = []
        var start = 0
        while start < images.count {
            let n = min(100, images.count - start)
            var input = [Float](repeating: 0, count: 100 * size)
            for k in 0..<n {
                for (i, p) in images[start + k].pixels.enumerated() { input[k * size + i] = table[Int(p)] }
            }
            let out = try session.run([input])[0]
            logits += out[0..<(n * classes)]
            features += try session.tensor(at: featureIndex)[0..<(n * dimension)]
            start += n
        }
        return (logits, features, images.count)
    }
}
