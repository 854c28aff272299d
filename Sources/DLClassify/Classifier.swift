#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DLImage
import DLRuntime
import DLSupport

/// A `.dlrt` image classifier with its input contract: images in, the top
/// classes with probabilities out.
///
/// ```swift
/// let classifier = try Classifier(modelPath: "models/cifar10-resnet20.dlrt", threads: 2)
/// for (path, result) in zip(paths, classifier.classify(paths: paths, top: 3)) {
///     print(path, (try? result.get())?.first?.label ?? "error")
/// }
/// ```
///
/// Images are decoded and preprocessed in parallel (`threads` workers), a
/// batch at a time, then run through one session at `batchSize`.
public final class Classifier {
    public let model: Model
    public let contract: ImageInputContract
    /// Class names by output channel (the model's `labels`, else "0", "1", ...).
    public let labels: [String]
    public let threads: Int
    public let batchSize: Int
    private let session: Session
    private let outputIsLogits: Bool

    public init(model: Model, threads: Int = 1, batchSize: Int = 32) throws {
        guard threads >= 1 else { throw ClassifyError.model("threads must be at least 1, got \(threads)") }
        guard batchSize >= 1 else { throw ClassifyError.model("the batch size must be at least 1, got \(batchSize)") }
        self.model = model
        contract = try ImageInputContract(model: model)
        guard model.outputs.count == 1, let classes = model.outputs.first?.shape.last, classes >= 1,
              model.outputs[0].elementCount == model.outputs[0].shape[0] * classes else {
            throw ClassifyError.model("the model's output \(model.outputs.map(\.shape)) is not one [N, classes] score tensor")
        }
        switch model.string("output.kind") ?? "logits" {
        case "logits": outputIsLogits = true
        case "probabilities": outputIsLogits = false
        case let kind: throw ClassifyError.model("output.kind '\(kind)' is not a classifier's (logits or probabilities)")
        }
        let stored = model.strings("labels") ?? []
        guard stored.isEmpty || stored.count == classes else {
            throw ClassifyError.model("the model has \(stored.count) labels for \(classes) classes")
        }
        labels = stored.isEmpty ? (0..<classes).map(String.init) : stored
        self.threads = threads
        self.batchSize = batchSize
        do {
            session = try Session(model: model, threads: threads, batch: batchSize)
        } catch let error as DLRuntimeError {
            throw ClassifyError.model("cannot create a session: \(error)")
        }
    }

    /// Loads the model file first (format errors name the file).
    public convenience init(modelPath: String, threads: Int = 1, batchSize: Int = 32) throws {
        let model: Model
        do {
            model = try Model(path: modelPath)
        } catch let error as DLRuntimeError {
            throw ClassifyError.model("cannot load model '\(modelPath)': \(error.message)")
        }
        try self.init(model: model, threads: threads, batchSize: batchSize)
    }

    /// The `top` most probable classes of each image at `paths`, in order;
    /// an image that cannot be read gets its error and the others their
    /// answers. `progress(done)` is called after each batch.
    public func classify(paths: [String], top: Int,
                         progress: (Int) -> Void = { _ in }) -> [Result<[Prediction], ClassifyError>] {
        var results: [Result<[Prediction], ClassifyError>] = []
        results.reserveCapacity(paths.count)
        var start = 0
        while start < paths.count {
            let chunk = Array(paths[start..<min(paths.count, start + batchSize)])
            let inputs = prepare(chunk)
            results += scores(inputs).map { result in result.map { self.best(top, of: $0) } }
            start += chunk.count
            progress(start)
        }
        return results
    }

    /// Decodes and preprocesses `paths` in parallel.
    private func prepare(_ paths: [String]) -> [Result<[Float], ClassifyError>] {
        var prepared = [Result<[Float], ClassifyError>?](repeating: nil, count: paths.count)
        let options = contract.decodeOptions()
        prepared.withUnsafeMutableBufferPointer { slots in
            let base = slots.baseAddress! // slot i belongs to iteration i only
            ParallelFor.dynamic(count: paths.count, workers: threads, chunk: 4) { i in
                base[i] = Result { try contract.tensor(contentsOf: paths[i], options: options) }
                    .mapError { ClassifyError.input(path: paths[i], message: Self.reason($0, path: paths[i])) }
            }
        }
        return prepared.map { $0! }
    }

    /// Runs up to `batchSize` prepared inputs (failed ones stay failed) and
    /// returns each one's probabilities.
    private func scores(_ inputs: [Result<[Float], ClassifyError>]) -> [Result<[Float], ClassifyError>] {
        let size = contract.channelOrder.channels * contract.height * contract.width
        var batch = [Float](repeating: 0, count: batchSize * size)
        for (i, input) in inputs.enumerated() {
            if case .success(let values) = input { batch.replaceSubrange(i * size..<(i + 1) * size, with: values) }
        }
        let output: [Float]
        do {
            output = try session.run([batch])[0]
        } catch {
            return inputs.map { _ in .failure(.model("inference failed: \(error)")) }
        }
        let classes = labels.count
        return inputs.enumerated().map { i, input in
            input.map { _ in
                let row = Array(output[i * classes..<(i + 1) * classes])
                return outputIsLogits ? Self.softmax(row) : row
            }
        }
    }

    /// The `k` largest probabilities, largest first (ties: the lower index first).
    func best(_ k: Int, of probabilities: [Float]) -> [Prediction] {
        probabilities.indices
            .sorted { probabilities[$0] > probabilities[$1] || (probabilities[$0] == probabilities[$1] && $0 < $1) }
            .prefix(max(0, k))
            .map { Prediction(index: $0, label: labels[$0], probability: probabilities[$0]) }
    }

    static func softmax(_ logits: [Float]) -> [Float] {
        let top = logits.max() ?? 0
        let exps = logits.map { expf($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }

    /// An error's message without a leading "path: " (the caller prefixes it).
    static func reason(_ error: Error, path: String) -> String {
        let message = "\(error)"
        return message.hasPrefix(path + ": ") ? String(message.dropFirst(path.count + 2)) : message
    }
}
