import DeepLearning

/// The metadata an exported model carries (docs/FORMAT.md, "Standard keys"):
/// its name and producer, the labels, the input contract, and the training
/// record (data, recipe, epochs, measured test accuracy) from the checkpoint.
struct ExportRecord {
    let checkpoint: Checkpoint
    let contract: InputContract
    let labels: [String]
    let selfTestSource: String
    let producer: String

    /// The last evaluated epoch: the measurement of the exported weights.
    var lastEvaluation: EpochMetrics? { checkpoint.metrics.last(where: { $0.testAccuracy != nil }) }
    var testAccuracy: Double? { lastEvaluation?.testAccuracy }

    var metadata: [MetadataEntry] {
        let architecture = checkpoint.architecture.name
        var entries: [(MetadataKey, MetadataValue)] = [
            (.modelName, .string("\(architecture)-\(contract.dataset)")),
            (.modelArchitecture, .string(architecture)),
            (.modelProducer, .string(producer)),
            (.modelDescription, .string(description)),
            (.labels, .stringArray(labels)),
            (.inputLayout, .string("NCHW")),
            (.inputChannelOrder, .string(contract.channelOrder)),
            (.inputPixelRange, .f64Array(contract.pixelRange)),
            (.inputMean, .f64Array(contract.mean)),
            (.inputStd, .f64Array(contract.std)),
        ]
        switch contract.resize {
        case .stretch:
            entries.append((.inputResize, .string("stretch")))
        case .centerCrop(let side):
            entries += [(.inputResize, .string("center-crop")), (.inputResizeShorter, .i64(Int64(side)))]
        }
        entries += [(.outputKind, .string("logits")), (.trainingDataset, .string(contract.dataset)),
                    (.trainingEpochs, .i64(Int64(checkpoint.epoch)))]
        if !checkpoint.recipe.isEmpty { entries.append((.trainingRecipe, .string(checkpoint.recipe))) }
        if let evaluation = lastEvaluation {
            entries.append((.trainingTestAccuracy, .f64(evaluation.testAccuracy!)))
            if let loss = evaluation.testLoss { entries.append((.trainingTestLoss, .f64(loss))) }
        }
        entries.append((.selfTestSource, .string(selfTestSource)))
        return entries.map { MetadataEntry(key: $0.0, value: $0.1) }
    }

    /// One line for people: "resnet20 (CIFAR ResNet-20, option A shortcuts) trained 30 epochs on cifar10: 91.25% test accuracy".
    var description: String {
        let name = checkpoint.architecture.name
        let summary = ModelZoo.entries.first(where: { $0.name == name }).map { " (\($0.summary))" } ?? ""
        var text = "\(name)\(summary) trained \(checkpoint.epoch) epoch\(checkpoint.epoch == 1 ? "" : "s") on \(contract.dataset)"
        if let accuracy = testAccuracy {
            text += formatted(": %.2f%% test accuracy", accuracy * 100)
        }
        return text
    }
}
