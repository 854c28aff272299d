import DLSupport

/// Accuracy over images whose true class is their parent directory's name
/// (`test/cat/0001.jpg` is a cat), as in an image-folder data set.
public struct AccuracyTally: Sendable {
    public let labels: [String]
    /// Images whose directory names a label.
    public private(set) var labelled = 0
    /// Images whose best prediction is their label.
    public private(set) var top1 = 0
    /// Images whose label is among the predictions given (top-K).
    public private(set) var topK = 0
    /// K: the most predictions given for one image.
    public private(set) var k = 0
    /// Images whose directory is not a label.
    public private(set) var unlabelled = 0

    public init(labels: [String]) { self.labels = labels }

    public mutating func add(path: String, predictions: [Prediction]) {
        let components = path.split(separator: "/")
        guard components.count >= 2, let truth = labels.firstIndex(of: String(components[components.count - 2])) else {
            unlabelled += 1
            return
        }
        labelled += 1
        k = max(k, predictions.count)
        if predictions.first?.index == truth { top1 += 1 }
        if predictions.contains(where: { $0.index == truth }) { topK += 1 }
    }

    public var top1Accuracy: Double { labelled > 0 ? Double(top1) / Double(labelled) : 0 }
    public var topKAccuracy: Double { labelled > 0 ? Double(topK) / Double(labelled) : 0 }

    public var summary: String {
        var line = formatted("accuracy: top-1 %.2f%% (%d of %d)", top1Accuracy * 100, top1, labelled)
        if k > 1 { line += formatted(", top-%d %.2f%%", k, topKAccuracy * 100) }
        if unlabelled > 0 { line += "; \(unlabelled) images are not in a directory named after a label" }
        return line
    }

    public var json: JSON {
        .object([("labelled", .int(labelled)), ("top1", .number(top1Accuracy)), ("k", .int(k)),
                 ("topk", .number(topKAccuracy)), ("unlabelled", .int(unlabelled))])
    }
}
