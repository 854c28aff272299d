import DLImage

/// The per-epoch log: one JSON object per line (`.jsonl`, anything but
/// `.csv`), or CSV with a header when the path ends in `.csv`. The whole
/// file is rewritten atomically from the run's metrics after every epoch,
/// so a resumed run's log matches its checkpoint (no duplicated epochs).
public struct MetricsLog: Sendable {
    public let path: String
    public var isCSV: Bool { path.lowercased().hasSuffix(".csv") }
    /// The column names of `EpochMetrics`' four measurements; nil leaves a column out.
    public var measurements: MeasurementNames

    public init(path: String) { self.init(path: path, measurements: .classifier) }

    public init(path: String, measurements: MeasurementNames) {
        self.path = path
        self.measurements = measurements
    }

    /// What a run's `EpochMetrics` losses and accuracies mean, as log columns.
    public struct MeasurementNames: Sendable, Equatable {
        public var trainLoss: String?
        public var trainAccuracy: String?
        public var testLoss: String?
        public var testAccuracy: String?

        public init(trainLoss: String?, trainAccuracy: String?, testLoss: String?, testAccuracy: String?) {
            (self.trainLoss, self.trainAccuracy, self.testLoss, self.testAccuracy) = (trainLoss, trainAccuracy, testLoss, testAccuracy)
        }

        public static let classifier = MeasurementNames(trainLoss: "train_loss", trainAccuracy: "train_accuracy",
                                                        testLoss: "test_loss", testAccuracy: "test_accuracy")
    }

    var columns: [String?] {
        ["epoch", measurements.trainLoss, measurements.trainAccuracy, measurements.testLoss, measurements.testAccuracy,
         "learning_rate", "seconds", "images_per_second"]
    }

    /// The file's text for `metrics`; `trainExamples` per epoch gives images per second.
    public func render(_ metrics: [EpochMetrics], trainExamples: Int) -> String {
        let named = columns.enumerated().compactMap { $0.element == nil ? nil : ($0.offset, $0.element!) }
        var lines: [String] = isCSV ? [named.map(\.1).joined(separator: ",")] : []
        for m in metrics {
            let rate = m.seconds > 0 ? Double(trainExamples) / m.seconds : nil
            // Epochs are counted from 1 in logs, as in the progress output.
            let all: [String] = [String(m.epoch + 1), number(m.trainLoss), number(m.trainAccuracy), number(m.testLoss),
                                    number(m.testAccuracy), number(m.learningRate), number(m.seconds), number(rate)]
            let values = named.map { all[$0.0] }
            if isCSV {
                lines.append(values.map { $0 == "null" ? "" : $0 }.joined(separator: ","))
            } else {
                lines.append("{" + zip(named.map(\.1), values).map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}")
            }
        }
        return lines.map { $0 + "\n" }.joined()
    }

    public func write(_ metrics: [EpochMetrics], trainExamples: Int) throws {
        do {
            try FileIO.writeAtomically(Array(render(metrics, trainExamples: trainExamples).utf8), to: path)
        } catch {
            throw TrainingError.output("cannot write the log '\(path)': \(error)")
        }
    }

    /// A JSON number (shortest round-trip form), or null for nil and non-finite values.
    private func number(_ x: Double?) -> String {
        guard let x, x.isFinite else { return "null" }
        if x == x.rounded() && abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }
}
