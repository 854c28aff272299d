import DLImage

/// The per-epoch log: one JSON object per line (`.jsonl`, anything but
/// `.csv`), or CSV with a header when the path ends in `.csv`. The whole
/// file is rewritten atomically from the run's metrics after every epoch,
/// so a resumed run's log matches its checkpoint (no duplicated epochs).
public struct MetricsLog: Sendable {
    public let path: String
    public var isCSV: Bool { path.lowercased().hasSuffix(".csv") }

    public init(path: String) { self.path = path }

    static let columns = ["epoch", "train_loss", "train_accuracy", "test_loss", "test_accuracy", "learning_rate",
                          "seconds", "images_per_second"]

    /// The file's text for `metrics`; `trainExamples` per epoch gives images per second.
    public func render(_ metrics: [EpochMetrics], trainExamples: Int) -> String {
        var lines: [String] = isCSV ? [Self.columns.joined(separator: ",")] : []
        for m in metrics {
            let rate = m.seconds > 0 ? Double(trainExamples) / m.seconds : nil
            // Epochs are counted from 1 in logs, as in the progress output.
            let values: [String] = [String(m.epoch + 1), number(m.trainLoss), number(m.trainAccuracy), number(m.testLoss),
                                    number(m.testAccuracy), number(m.learningRate), number(m.seconds), number(rate)]
            if isCSV {
                lines.append(values.map { $0 == "null" ? "" : $0 }.joined(separator: ","))
            } else {
                lines.append("{" + zip(Self.columns, values).map { "\"\($0)\":\($1)" }.joined(separator: ",") + "}")
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
