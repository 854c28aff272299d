import DLRuntime

/// The int8-against-fp32 measurements of an export, all made in the C
/// runtime: each layer's own error (`isolated`), each layer's error in the
/// exported model (`inModel`), and whole-model accuracy and agreement (`evaluate`).
enum Int8Measurements {
    /// SQNR of each twin (`Int8GraphRewriter.isolated`) against the fp32
    /// tensor it mirrors (the source graph's node output, same id in the
    /// twin graph), by source node index, over `samples`.
    static func isolated(_ file: ModelFile, source: ModelFile, twins: [Int: TensorID], samples: [[Float]]) throws
        -> [Int: Double]
    {
        guard !twins.isEmpty else { return [:] }
        let runner = try KeptTensors(try file.serialize())
        var noise = twins.mapValues { _ in SignalToQuantizationNoise() }
        for sample in samples {
            try runner.run(sample)
            for (node, twin) in twins {
                noise[node]!.add(reference: try runner.tensor(source.nodes[node].outputs[0]), quantized: try runner.tensor(twin))
            }
        }
        return noise.mapValues(\.decibels)
    }

    /// SQNR of every int8 tensor of `int8` against the fp32 tensor of the
    /// same name in `fp32`, by name, over `samples`.
    static func inModel(fp32: ModelFile, int8: ModelFile, samples: [[Float]]) throws -> [String: Double] {
        let reference = Dictionary(fp32.tensors.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        let pairs: [(name: String, fp32: TensorID, int8: TensorID)] = int8.tensors.enumerated().compactMap { index, tensor in
            guard !tensor.isConstant, tensor.dtype == .i8, let original = reference[tensor.name] else { return nil }
            return (tensor.name, TensorID(rawValue: UInt32(original)), TensorID(rawValue: UInt32(index)))
        }
        guard !pairs.isEmpty else { return [:] }
        let fp32Runner = try KeptTensors(try fp32.serialize()), int8Runner = try KeptTensors(try int8.serialize())
        var noise = Dictionary(uniqueKeysWithValues: pairs.map { ($0.name, SignalToQuantizationNoise()) })
        for sample in samples {
            try fp32Runner.run(sample)
            try int8Runner.run(sample)
            for pair in pairs {
                noise[pair.name]!.add(reference: try fp32Runner.tensor(pair.fp32), quantized: try int8Runner.tensor(pair.int8))
            }
        }
        return noise.mapValues(\.decibels)
    }

    struct Evaluation {
        /// nil for unlabelled examples (a generator's latents).
        var fp32Accuracy: Double?
        var int8Accuracy: Double?
        var top1Agreement: Double?
        var outputSQNR: Double
    }

    /// Both models on held-out examples: the output's SQNR and, when the
    /// examples are labelled, the accuracy of each and how often they pick
    /// the same class.
    static func evaluate(fp32: [UInt8], int8: [UInt8], examples: [CalibrationData.Example]) throws -> Evaluation {
        guard !examples.isEmpty else {
            throw ExportError.invalidArgument("the int8 model needs at least one evaluation example (test split)")
        }
        let fp32Session = try Session(model: try Model(bytes: fp32)), int8Session = try Session(model: try Model(bytes: int8))
        var fp32Correct = 0, int8Correct = 0, agree = 0
        var noise = SignalToQuantizationNoise()
        for example in examples {
            let want = try fp32Session.run([example.input])[0], got = try int8Session.run([example.input])[0]
            let a = argmax(want), b = argmax(got)
            fp32Correct += a == example.label ? 1 : 0
            int8Correct += b == example.label ? 1 : 0
            agree += a == b ? 1 : 0
            noise.add(reference: want, quantized: got)
        }
        let n = Double(examples.count)
        guard examples.allSatisfy({ $0.label != nil }) else { return Evaluation(outputSQNR: noise.decibels) }
        return Evaluation(fp32Accuracy: Double(fp32Correct) / n, int8Accuracy: Double(int8Correct) / n,
                          top1Agreement: Double(agree) / n, outputSQNR: noise.decibels)
    }

    /// The index of the largest value (the first of equals).
    static func argmax(_ values: [Float]) -> Int {
        var best = 0
        for i in values.indices where values[i] > values[best] { best = i }
        return best
    }
}
