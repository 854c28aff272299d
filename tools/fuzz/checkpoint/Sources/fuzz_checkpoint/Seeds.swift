import DeepLearning

#if canImport(Glibc)
import Glibc
#endif

/// The seed corpus: small real checkpoints made the way dltrain makes them (Checkpoint.capture of a
/// zoo model with its optimizer and schedule), one per rebuild path (classifier, generative,
/// character model), and one whose unknown architecture carries every section and value type.
enum Seeds {
    static func write(to directory: String) throws {
        for (name, checkpoint) in try all() {
            let bytes = try checkpoint.encoded()
            guard let file = fopen("\(directory)/\(name).ckpt", "wb"),
                  fwrite(bytes, 1, bytes.count, file) == bytes.count, fclose(file) == 0 else {
                throw CheckpointError.invalidArgument("cannot write \(directory)/\(name).ckpt")
            }
        }
    }

    static func all() throws -> [(String, Checkpoint)] {
        var g = SplitMix64(seed: 7)
        let metrics = [EpochMetrics(epoch: 1, trainLoss: 0.5, trainAccuracy: 0.75, testLoss: 0.625, testAccuracy: 0.5,
                                    learningRate: 0.1, seconds: 2),
                       EpochMetrics(epoch: 2, trainLoss: 0.25, trainAccuracy: 0.875, learningRate: 0.01, seconds: 2)]
        let contract = InputContract(dataset: "fuzz", channelOrder: "GRAY", mean: [0.5], std: [0.25], resize: .stretch)

        let mlp = try ModelZoo.make("mlp", classes: 2, inputShape: [1, 2, 2], seed: 1)
        let sgd = SGD(groups: [ParameterGroup(mlp.parameters())], learningRate: 0.1, momentum: 0.9)
        let step = StepLR(optimizer: sgd, stepSize: 1, gamma: 0.5)
        let classifier = Checkpoint.capture(
            architecture: ["model": "mlp", "classes": 2, "input_shape": .ints([1, 2, 2]), "class_names": .strings(["no", "yes"])],
            model: mlp, optimizer: sgd, schedule: step, rngStates: ["loader.seed": 1], epoch: 2, step: 20, metrics: metrics,
            recipe: "dltrain --model mlp\nmodel=mlp\noptimizer=sgd\nthreads=1", input: contract,
            samples: [InputSample(shape: [1, 2, 2], pixels: [0, 85, 170, 255], label: 1, source: "seed")])

        let autoencoderArchitecture = GenerativeZoo.architecture("autoencoder", imageShape: [1, 8, 8])
        let autoencoder = try GenerativeZoo.make(autoencoderArchitecture, seed: 2)
        let generative = Checkpoint.capture(architecture: autoencoderArchitecture, model: autoencoder,
                                            epoch: 1, step: 4, metrics: [metrics[1]],
                                            recipe: "dltrain --model autoencoder\nmodel=autoencoder\noptimizer=adam\nthreads=1")

        let (recipe, vocabulary) = try CharLSTMRecipe.read([
            "model": .string(CharLSTMRecipe.modelName), "vocabulary": .strings(["a", "b", "\n", "\u{e9}"]),
            "embedding_size": 3, "hidden_size": 4, "layer_count": 2, "dropout": 0.25, "sequence_length": 8,
        ])
        let lstm: Module<Float> = recipe.model(vocabularySize: vocabulary.count, using: &g)
        let adamw = AdamW(groups: [ParameterGroup(lstm.parameters())], learningRate: 0.002)
        let character = Checkpoint.capture(architecture: recipe.architecture(vocabulary: vocabulary), model: lstm,
                                           optimizer: adamw, schedule: StepLR(optimizer: adamw, stepSize: 2, gamma: 0.5),
                                           epoch: 1, step: 3, metrics: [metrics[0]],
                                           recipe: "dltrain --model charlstm\nmodel=charlstm\noptimizer=adamw\nthreads=1")

        var optimizer = OptimizerState<Float>()
        optimizer.parameterShapes = [[2, 3], [], [0]]
        optimizer.tensors = ["0.momentum": Tensor(shape: [2, 3], scalars: [1, -2, 3, .infinity, .nan, 0])]
        optimizer.values = ["step": 3, "lr": 0.5]
        let everything = Checkpoint(
            architecture: ["model": "fuzz-every-value-type", "i": 3, "d": 0.5, "s": "text", "b": true,
                           "is": .ints([1, -2]), "ds": .doubles([0.25, -1]), "ss": .strings(["x", ""])],
            model: ["w": Tensor(shape: [2, 2], scalars: [1, 2, 3, 4]), "scalar": Tensor(shape: [], scalars: [5]),
                    "empty": Tensor(shape: [0, 3], scalars: [])],
            optimizer: optimizer, schedule: ["last_epoch": 2, "base_lr.0": 0.1], rngStates: ["a": 1, "b": UInt64.max],
            epoch: 2, step: 7, metrics: metrics, recipe: "line one\nkey=value",
            input: InputContract(dataset: "rgb", channelOrder: "BGR", pixelRange: [0, 255], mean: [1, 2, 3], std: [4, 5, 6],
                                 resize: .centerCrop(shorterSide: 9)),
            samples: [InputSample(shape: [3, 1, 1], pixels: [1, 2, 3], label: 0, source: "a"),
                      InputSample(shape: [3, 1, 1], pixels: [4, 5, 6], label: 2, source: "")])
        return [("mlp", classifier), ("autoencoder", generative), ("charlstm", character), ("every_section", everything)]
    }
}
