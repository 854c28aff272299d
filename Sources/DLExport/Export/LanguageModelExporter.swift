import DeepLearning
import DLRuntime
import DLSupport

/// Metadata of an exported character-level language model (docs/FORMAT.md).
extension MetadataKey {
    /// string array: entry i is the character of token id i (what `dlgen` reads).
    public static let vocabulary: MetadataKey = "vocabulary"
    /// f64: validation loss in nats per character of the exported weights.
    public static let trainingValidationNatsPerChar: MetadataKey = "training.validation_nats_per_char"
}

/// Exports a `dltrain --model charlstm` checkpoint for generation: token ids
/// [1, 1] (one step, T = 1) through embedding, one `lstm` node per layer and
/// a dense head to logits [1, V]. A session created with `keepState` then
/// carries the LSTM state from run to run, so `dlgen` feeds one character
/// per run without re-running the prefix.
///
/// The file is refused unless the C runtime, stepping through
/// `parityTokens` one run at a time with kept state, reproduces the
/// engine's logits for the whole sequence within the tolerance at every
/// step: a check of the recurrence, not just of one step from zero state.
///
/// With `int8RecurrentWeights` the LSTM's W_ih and W_hh are stored as int8
/// with one scale per row (`WeightQuantization`), a quarter of the size;
/// the runtime dequantizes them once at load and computes in f32. The parity
/// reference is then the engine with those same dequantized weights.
public enum LanguageModelExporter {
    /// Steps of the parity check.
    public static let parityLength = 64

    public static func export(_ checkpoint: Checkpoint, options: ExportOptions = ExportOptions()) throws -> ExportedModel {
        let name = checkpoint.architecture.name
        if options.labels != nil || options.sampleImage != nil {
            throw ExportError.checkpoint("--labels and --sample are for classifiers; '\(name)' is a character model, whose input is text")
        }
        let model: CharLSTM<Float>
        let recipe: CharLSTMRecipe, vocabulary: [Unicode.Scalar]
        do {
            (recipe, vocabulary) = try CharLSTMRecipe.read(checkpoint.architecture)
            var generator = SplitMix64(seed: 0)  // replaced by the checkpoint's weights
            model = recipe.model(vocabularySize: vocabulary.count, using: &generator)
            try model.load(checkpoint.model, strict: true)
        } catch {
            throw ExportError.checkpoint("the checkpoint's weights do not fit \(name) \(checkpoint.architecture.config): \(error)")
        }
        model.eval()
        let int8Weights = options.int8RecurrentWeights ? try quantizedWeights(model.lstm) : [:]
        var builder = try graph(of: model, int8Weights: int8Weights)
        // The parity reference computes with the weights the file stores.
        for (name, parameter) in model.lstm.namedParameters() {
            guard let q = int8Weights[name] else { continue }
            let perRow = parameter.shape[1]
            parameter.assign(Tensor(shape: parameter.shape, scalars: q.values.enumerated().map { Float($1) * q.scales[$0 / perRow] }))
        }
        // The text file with its folder ("tinyshakespeare/input.txt"): a file name alone is often generic.
        let dataset = TrainingSettings.parseRecipe(checkpoint.recipe)?["data"]?.split(separator: "/").suffix(2)
            .joined(separator: "/") ?? "unknown"
        for (key, value) in metadata(checkpoint, recipe: recipe, vocabulary: vocabulary, dataset: dataset,
                                     producer: options.producer, int8: options.int8RecurrentWeights) {
            builder.setMetadata(value, for: key)
        }
        let tokens = parityTokens(vocabularySize: vocabulary.count)
        let expected = engineLogits(model, tokens: tokens)
        let stepZero = Array(expected[0..<vocabulary.count])
        let scale = Double(stepZero.map { abs($0) }.max() ?? 0)
        try builder.selfTest(inputs: [(builder.inputs[0], [Float(tokens[0])])], outputs: [(builder.outputs[0], stepZero)],
                             rtol: Float(options.tolerance), atol: Float(options.tolerance * scale))
        let bytes = try builder.serialize()
        let parityError = try verifySteps(bytes, tokens: tokens, expected: expected, tolerance: options.tolerance)
        return ExportedModel(file: builder.modelFile, bytes: bytes, summary: ExportSummary(
            architecture: name, dataset: dataset, inputShape: [1], classes: vocabulary.count,
            outputNoun: "characters in the vocabulary (one character id in per run)", nodes: builder.nodes.count,
            foldedBatchNorms: 0, fusedActivations: 0,
            parameters: builder.tensors.filter(\.isConstant).reduce(0) { $0 + $1.elementCount },
            testAccuracy: nil, parityError: parityError, selfTestSource: selfTestSource))
    }

    static var selfTestSource: String {
        "\(parityLength) tokens of SplitMix64 seed 0, stepped one run at a time with kept state"
    }

    /// Every W_ih and W_hh in int8 with one scale per row, by parameter name (`weight_ih_l0`, ...).
    static func quantizedWeights(_ lstm: LSTM<Float>) throws -> [String: WeightQuantization] {
        var result: [String: WeightQuantization] = [:]
        for (name, parameter) in lstm.namedParameters() where name.hasPrefix("weight_") {
            result[name] = try WeightQuantization(weights: parameter.value.scalars, channels: parameter.shape[0], tensor: name)
        }
        return result
    }

    /// ids [1, 1] -> embedding -> lstm per layer -> dense -> logits [1, V];
    /// the lstm weights named in `int8Weights` as per-row int8 constants.
    static func graph(of model: CharLSTM<Float>, int8Weights: [String: WeightQuantization] = [:]) throws -> GraphBuilder {
        var b = GraphBuilder()
        let ids = try b.input(name: "ids", shape: [1, 1])
        let table = model.embedding.weight.value
        var x = try b.embedding(ids, table: try b.constant(name: "embedding.weight", shape: table.shape, values: table.scalars),
                                name: "embedded")
        for (layer, parameters) in model.lstm.layerParameters.enumerated() {
            func constant(_ index: Int, _ label: String) throws -> TensorID? {
                guard index < parameters.count else { return nil }
                let (value, key) = (parameters[index].value, "\(label)_l\(layer)")
                let name = "lstm." + key
                guard let q = int8Weights[key] else { return try b.constant(name: name, shape: value.shape, values: value.scalars) }
                return try b.constant(name: name, shape: value.shape, values: q.values, quantization:
                    .perChannel(axis: 0, scales: q.scales, zeroPoints: [Int32](repeating: 0, count: q.scales.count)))
            }
            x = try b.lstm(x, weightIH: try constant(0, "weight_ih")!, weightHH: try constant(1, "weight_hh")!,
                           biasIH: try constant(2, "bias_ih"), biasHH: try constant(3, "bias_hh"), name: "lstm\(layer)")
        }
        let hidden = model.lstm.hiddenSize
        let flat = try b.reshape(x, shape: [-1, hidden], name: "hidden")
        let w = model.head.weight.value
        let bias = try model.head.bias.map { try b.constant(name: "head.bias", shape: $0.shape, values: $0.value.scalars) }
        let logits = try b.dense(flat, weight: try b.constant(name: "head.weight", shape: w.shape, values: w.scalars),
                                 bias: bias, name: "logits")
        try b.output(logits)
        return b
    }

    /// A fixed token sequence for the parity check.
    static func parityTokens(vocabularySize: Int) -> [Int] {
        var generator = SplitMix64(seed: 0)
        return (0..<parityLength).map { _ in Int(generator.next() % UInt64(vocabularySize)) }
    }

    /// The engine's logits [T, V] for `tokens` as one sequence from a zero state.
    static func engineLogits(_ model: CharLSTM<Float>, tokens: [Int]) -> [Float] {
        withNoGrad { model(tokens: tokens, batch: 1, steps: tokens.count, state: nil).logits.scalars }
    }

    /// Feeds `tokens` to the C runtime one run each with kept state; the
    /// largest `Parity.relativeError` of a step's logits against the
    /// engine's, which must stay within `tolerance`.
    static func verifySteps(_ bytes: [UInt8], tokens: [Int], expected: [Float], tolerance: Double) throws -> Double {
        let v = expected.count / tokens.count
        var worst = 0.0
        do {
            let session = try Session(model: try Model(bytes: bytes), keepState: true)
            for (t, token) in tokens.enumerated() {
                let got = try session.run([[Float(token)]])[0]
                worst = max(worst, Parity.relativeError(got, Array(expected[t * v..<(t + 1) * v])))
            }
        } catch {
            throw ExportError.verification("the C runtime cannot run the exported model: \(error)")
        }
        guard worst <= tolerance else {
            throw ExportError.verification(formatted("the C runtime's logits differ from the engine's by %.3g (relative) over %d steps with kept state; the limit is %.3g", worst, tokens.count, tolerance))
        }
        return worst
    }

    static func metadata(_ checkpoint: Checkpoint, recipe: CharLSTMRecipe, vocabulary: [Unicode.Scalar], dataset: String,
                         producer: String, int8: Bool) -> [(MetadataKey, MetadataValue)] {
        let name = checkpoint.architecture.name
        var description = "character-level language model: embedding \(recipe.embeddingSize), \(recipe.layerCount)-layer LSTM of \(recipe.hiddenSize), trained \(checkpoint.epoch) epoch\(checkpoint.epoch == 1 ? "" : "s") on \(dataset) with truncated BPTT over \(recipe.sequenceLength)-character chunks"
        var entries: [(MetadataKey, MetadataValue)] = [
            (.modelName, .string("\(name)-\(dataset.split(separator: "/").first ?? "text")")),
            (.modelArchitecture, .string(name)),
            (.modelProducer, .string(producer)),
            (.vocabulary, .stringArray(vocabulary.map { String($0) })),
            (.outputKind, .string("logits")),
            (.trainingDataset, .string(dataset)),
            (.trainingEpochs, .i64(Int64(checkpoint.epoch))),
            (.selfTestSource, .string(selfTestSource)),
        ]
        if let loss = checkpoint.metrics.last?.testLoss {
            description += formatted(": validation %.4f nats/char (perplexity %.2f, 90/10 split)", loss, Double.exp(loss))
            entries.append((.trainingValidationNatsPerChar, .f64(loss)))
        }
        if int8 { description += "; LSTM weights stored as int8 with one scale per row, computed in f32" }
        entries.append((.modelDescription, .string(description)))
        if !checkpoint.recipe.isEmpty { entries.append((.trainingRecipe, .string(checkpoint.recipe))) }
        return entries
    }
}
