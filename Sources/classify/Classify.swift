import ArgumentParser
import DLClassify
import DLRuntime
import DLSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `classify photo.jpg [more ...|DIR]`: parsing and printing only; the work is `DLClassify.Classifier`.
@main
struct Classify: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify images with a .dlrt model (the bundled CIFAR-10 ResNet-20 by default).",
        discussion: """
        Inputs are image files (JPEG or PNG) or directories, searched recursively. Each image is decoded, \
        resized and normalised as the model's input contract says, and its top classes are printed with \
        their probabilities, one line per image. An input that cannot be read gets an error on stderr; the \
        others still get answers.
        Exit status: 0 when every input was classified; 1 when an input failed or the model could not be \
        used; 64 for a bad command line.
        """)

    @Argument(help: "Image files or directories.") var inputs: [String]
    @Option(help: "A .dlrt model (default: the bundled \(BundledModel.int8Name) when present, else \(BundledModel.defaultName)).")
    var model: String?
    @Flag(help: "Use the bundled fp32 model even when its int8 export is bundled.") var fp32 = false
    @Option(help: "How many classes to print per image.") var top: Int = 3
    @Flag(help: "Print the results as one JSON document.") var json = false
    @Option(help: "Threads for decoding and inference (default: every CPU).") var threads: Int?
    @Option(help: "Images per inference batch.") var batch: Int = 32
    @Flag(help: "Take each image's true class from its parent directory's name and print the accuracy.")
    var accuracy = false
    @Flag(inversion: .prefixedNo, help: "Show a progress bar on stderr (default: for more than one batch on a terminal).")
    var progress: Bool?

    func validate() throws {
        guard !inputs.isEmpty else { throw ValidationError("give at least one image file or directory") }
        guard top >= 1 else { throw ValidationError("--top must be at least 1, got \(top)") }
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1, got \(batch)") }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, got \(threads)") }
        if fp32 && model != nil { throw ValidationError("--fp32 picks the bundled fp32 model; it does not go with --model") }
    }

    func run() throws {
        let expanded = InputFiles.expand(inputs)
        let paths = expanded.compactMap { try? $0.get() }
        var failures = expanded.compactMap { entry -> ClassifyError? in
            if case .failure(let error) = entry { return error } else { return nil }
        }
        let classifier: Classifier
        do {
            let path = try model ?? BundledModel.locateDefault(fp32: fp32)
            classifier = try Classifier(modelPath: path, threads: threads ?? ParallelFor.processorCount,
                                        batchSize: min(batch, max(1, paths.count)))
        } catch let error as ClassifyError {
            report(error)
            throw ExitCode.failure
        }

        let start = monotonicSeconds()
        let bar = ProgressLine(total: paths.count,
                               enabled: progress ?? (paths.count > classifier.batchSize && isatty(STDERR_FILENO) != 0))
        let results = classifier.classify(paths: paths, top: top) { bar.update(done: $0) }
        let seconds = monotonicSeconds() - start
        bar.finish()

        var tally = AccuracyTally(labels: classifier.labels)
        var entries: [JSON] = []
        for (path, result) in zip(paths, results) {
            switch result {
            case .success(let predictions):
                if accuracy { tally.add(path: path, predictions: predictions) }
                if json {
                    entries.append(.object([("path", .string(path)), ("top", .array(predictions.map { p in
                        .object([("label", .string(p.label)), ("index", .int(p.index)), ("probability", .number(Double(p.probability)))])
                    }))]))
                } else {
                    print(path + ": " + predictions.map { $0.label + " " + percent($0.probability) }.joined(separator: ", "))
                }
            case .failure(let error):
                failures.append(error)
                if json { entries.append(.object([("path", .string(path)), ("error", .string(Self.message(error)))])) }
            }
        }
        for error in failures { report(error) }
        let classified = results.count - results.filter { (try? $0.get()) == nil }.count
        if json {
            var document: [(String, JSON)] = [("model", .string(classifier.model.string("model.name") ?? "")),
                                              ("results", .array(entries))]
            if accuracy { document.append(("accuracy", tally.json)) }
            print(JSON.object(document).text(indent: 1))
        } else if accuracy {
            print(tally.summary)
        }
        if paths.count > 1 {
            note(formatted("classified %d of %d images in %.2f s (%.0f images/s, %d threads, batch %d)",
                        classified, expanded.count, seconds, Double(paths.count) / max(seconds, 1e-9),
                        classifier.threads, classifier.batchSize))
        }
        if !failures.isEmpty { throw ExitCode.failure }
    }

    func percent(_ p: Float) -> String { formatted("%.1f%%", Double(p) * 100) }

    static func message(_ error: ClassifyError) -> String {
        if case .input(_, let message) = error { return message }
        return error.description
    }

    func report(_ error: ClassifyError) { note("classify: error: \(error)") }
}

/// One line on stderr, after the answers already printed, so that a shared terminal or log reads in order.
func note(_ line: String) {
    fflush(stdout)
    fputs(line + "\n", stderr)
}
