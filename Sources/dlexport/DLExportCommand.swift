import ArgumentParser
import DLExport
import DLRuntime
import DeepLearning
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The command line over `ModelExporter` and `ModelInspection`: parsing and printing only.
@main
struct DLExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlexport",
        abstract: "Export a dltrain checkpoint as a .dlrt model for the C runtime, or inspect a .dlrt model.",
        discussion: """
        The model is rebuilt from the checkpoint's architecture and weights and lowered to the runtime graph: \
        batch norms folded into the preceding conv or dense, bias and activation fused, dropout removed, \
        residual adds and concatenations kept as nodes. The file carries the labels, the input contract \
        (size, NCHW, channel order, mean/std, resize rule), the training recipe and measured test accuracy, \
        and a self-test vector from a real example. Before the file is written the C runtime loads it and \
        must reproduce the engine's output on that example within 1e-4 (relative); otherwise nothing is written.

        A character model (dltrain --model charlstm) takes --int8 alone: its LSTM weights are stored in int8 \
        with one scale per row and dequantized by the runtime at load (a quarter of the size, f32 compute).
        With --int8 --calibrate DATA the model is quantized after training (docs/EXPORT.md, "int8"): \
        activations are calibrated on examples of DATA's training split run through the exported fp32 model, \
        conv2d and dense get per-channel int8 weights, layers whose int8 error is too large (or that run \
        slower in int8 on this machine, or that have no int8 kernel) stay fp32, and a per-layer report is \
        printed with the int8 and fp32 accuracy and top-1 agreement on DATA's test split. A generator \
        (dltrain --model dcgan) takes --int8 without --calibrate: it calibrates on N(0, 1) latents, and \
        the report gives its output's SQNR against fp32 on held-out latents.

        Examples:
          dlexport resnet20.ckpt                      writes resnet20.dlrt
          dlexport lenet5.ckpt -o models/lenet5.dlrt --labels digits.txt
          dlexport --inspect resnet20.dlrt [--json]
          dlexport lenet5.ckpt --int8 --calibrate ../shared/datasets/mnist -o lenet5-int8.dlrt --json-report report.json
          dlexport gan.ckpt --int8 -o gan-int8.dlrt
        """)

    @Argument(help: "The checkpoint to export (model.ckpt), or with --inspect the model to inspect (model.dlrt).")
    var input: String
    @Option(name: [.short, .customLong("output")], help: "The model file to write (default: the checkpoint's name with .dlrt).")
    var output: String?
    @Option(help: "A text file of class names, one per line, replacing the checkpoint's.")
    var labels: String?
    @Option(help: "A PNG or JPEG to take the self-test input from (for checkpoints that carry no sample).")
    var sample: String?
    @Flag(help: "Print the graph, shapes, parameter count, FLOPs and metadata of a .dlrt model.")
    var inspect = false
    @Flag(help: "With --inspect: the same report as JSON.")
    var json = false
    @Option(name: .customLong("json-report"), help: ArgumentHelp("With --int8: also write the quantization report as JSON to PATH.", valueName: "PATH"))
    var jsonReport: String?

    @Flag(help: "Quantize to int8 (a classifier needs --calibrate DATA).")
    var int8 = false
    @Option(help: ArgumentHelp("With --int8: the data set to calibrate on (MNIST IDX, CIFAR-10 binary or folder, image folder with train/ and test/).", valueName: "DATA"))
    var calibrate: String?
    @Option(help: "With --int8: calibration examples, spread evenly over the training split.")
    var samples = CalibrationData.defaultSampleCount
    @Option(help: "With --int8: minmax, percentile (99.99th; percentile:P for another), or entropy (TensorRT's KL method).")
    var method = QuantizationOptions().method.description
    @Option(name: .customLong("keep-fp32"), parsing: .upToNextOption, help: ArgumentHelp("With --int8: layers to keep in fp32, by the names the report shows.", valueName: "NAME"))
    var keepFP32: [String] = []
    @Option(name: .customLong("force-int8"), parsing: .upToNextOption, help: ArgumentHelp("With --int8: layers to run in int8 despite a low SQNR or a measured slowdown.", valueName: "NAME"))
    var forceInt8: [String] = []
    @Option(name: .customLong("min-sqnr"), help: "With --int8: layers whose own int8 SQNR is lower (dB) stay fp32.")
    var minimumSQNR = QuantizationOptions().minimumSQNR
    @Option(name: .customLong("eval-samples"), help: "With --int8: test examples for accuracy and agreement (default: the whole test split).")
    var evaluationSamples: Int?

    func validate() throws {
        if json && !inspect { throw ValidationError("--json goes with --inspect (with --int8, --json-report PATH writes the report)") }
        if jsonReport != nil && !int8 { throw ValidationError("--json-report goes with --int8") }
        if !int8 && (calibrate != nil || !keepFP32.isEmpty || !forceInt8.isEmpty || evaluationSamples != nil) {
            throw ValidationError("--calibrate, --keep-fp32, --force-int8 and --eval-samples go with --int8")
        }
        if int8 && inspect { throw ValidationError("--int8 exports a checkpoint; --inspect takes a .dlrt model") }
        if CalibrationMethod(method) == nil {
            throw ValidationError("--method must be minmax, percentile, percentile:P (0 < P <= 100) or entropy, not '\(method)'")
        }
        if samples < 1 { throw ValidationError("--samples must be at least 1") }
        if let n = evaluationSamples, n < 1 { throw ValidationError("--eval-samples must be at least 1") }
        if !minimumSQNR.isFinite { throw ValidationError("--min-sqnr must be a number of dB") }
        if inspect && (output != nil || labels != nil || sample != nil) {
            throw ValidationError("--inspect takes a .dlrt model and no -o, --labels or --sample")
        }
    }

    func run() throws {
        do {
            if inspect { try runInspect() } else { try runExport() }
        } catch let error as ExportError {
            fputs("dlexport: error: \(error)\n", stderr)
            throw ExitCode(1)
        } catch let error as DLRuntimeError {
            fputs("dlexport: error: \(error)\n", stderr)
            throw ExitCode(1)
        }
    }

    // MARK: - export

    func runExport() throws {
        let outputPath = output ?? Self.defaultOutput(for: input)
        try Self.checkOutput(outputPath, checkpoint: input)
        var options = ExportOptions(labels: try labels.map(Self.readLabels), sampleImage: sample)
        options.producer = "dlexport \(ModelExporter.version)"
        if int8 {
            // A character model's int8 is weight-only (its activations stay f32): nothing to calibrate.
            // A generator calibrates on latents of its own input distribution.
            let checkpoint = try? Checkpoint.read(from: input)
            guard checkpoint?.architecture.name == CharLSTMRecipe.modelName else {
                guard calibrate != nil || checkpoint.map(GeneratorExporter.exports) == true else {
                    throw ValidationError("--int8 needs --calibrate DATA")
                }
                return try runInt8Export(outputPath, options: options)
            }
            guard calibrate == nil else {
                throw ValidationError("a character model's --int8 stores its LSTM weights in int8 (per row) and needs no --calibrate")
            }
            options.int8RecurrentWeights = true
        }
        let exported = try ModelExporter.export(checkpointAt: input, to: outputPath, options: options)
        print("dlexport: wrote '\(outputPath)' (\(exported.bytes.count) bytes)")
        print(exported.summary)
    }

    func runInt8Export(_ outputPath: String, options: ExportOptions) throws {
        if let report = jsonReport {
            try Self.checkOutput(report, checkpoint: input)
            guard report != outputPath else { throw ExportError.invalidArgument("--json-report '\(report)' is the model's path") }
        }
        var quantization = QuantizationOptions(method: CalibrationMethod(method)!)
        quantization.keepFP32 = Set(keepFP32)
        quantization.forceInt8 = Set(forceInt8)
        quantization.minimumSQNR = minimumSQNR
        let quantized = try Int8Exporter.export(checkpointAt: input, to: outputPath, calibrationData: calibrate,
                                                samples: samples, evaluationSamples: evaluationSamples,
                                                options: options, quantization: quantization)
        if let report = jsonReport {
            do {
                try FileIO.writeAtomically(Array((quantized.report.json.text(indent: 2) + "\n").utf8), to: report)
            } catch {
                throw ExportError.io(path: error.path, operation: error.operation, errno: error.errno, message: error.message)
            }
        }
        print("dlexport: wrote '\(outputPath)' (\(quantized.bytes.count) bytes, int8)")
        if let summary = quantized.fp32Summary {
            // The fp32 export's parity check; its self-test was replaced by the int8 model's own.
            let suffix = " (stored as the self-test)"
            let text = summary.description
            print(text.hasSuffix(suffix) ? String(text.dropLast(suffix.count)) : text)
        }
        print(quantized.report.text, terminator: "")
    }

    /// `model.ckpt` -> `model.dlrt`; any other name gets `.dlrt` appended.
    static func defaultOutput(for checkpoint: String) -> String {
        checkpoint.hasSuffix(".ckpt") ? String(checkpoint.dropLast(5)) + ".dlrt" : checkpoint + ".dlrt"
    }

    /// Refuses, before the export's work, an output that is the checkpoint
    /// itself, a directory, or in a directory that does not exist or cannot be
    /// written. (Later write failures surface from the atomic write, which
    /// leaves nothing behind.)
    static func checkOutput(_ path: String, checkpoint: String) throws {
        guard path != checkpoint else { throw ExportError.invalidArgument("-o '\(path)' would overwrite the checkpoint") }
        if let problem = OutputPathProblem.of(path) {
            throw ExportError.invalidArgument(problem.message(naming: "-o '\(path)'"))
        }
    }

    /// One label per line; a trailing newline and CRs are ignored, an empty line is an error.
    static func readLabels(_ path: String) throws -> [String] {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path, maxBytes: 1 << 24) } catch {
            throw ExportError.invalidArgument("--labels: \(error)")
        }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.hasSuffix("\r") ? String($0.dropLast()) : String($0) }
        while lines.last == "" { lines.removeLast() }
        if let empty = lines.firstIndex(of: "") {
            throw ExportError.invalidArgument("--labels '\(path)': line \(empty + 1) is empty")
        }
        guard !lines.isEmpty else { throw ExportError.invalidArgument("--labels '\(path)' holds no labels") }
        return lines
    }

    // MARK: - inspect

    func runInspect() throws {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(input, maxBytes: Int.max) } catch {
            throw ExportError.invalidArgument("\(error)")
        }
        // The runtime validates everything first, so the report describes a model it accepts.
        let model: Model
        do { model = try Model(bytes: bytes) } catch let error as DLRuntimeError {
            throw ExportError.invalidArgument("'\(input)' is not a valid model: \(error)")
        }
        var selfTestError: Double?
        do {
            selfTestError = try model.selfTest()
        } catch let error as DLRuntimeError where error.status == .notFound {
            selfTestError = nil
        } catch {
            selfTestError = .infinity
        }
        let check = ModelInspection.RuntimeCheck(runtime: "\(Runtime.version) \(Runtime.isa)", selfTestError: selfTestError)
        let inspection = try ModelInspection(try ModelFile(decoding: bytes), path: input, fileSize: bytes.count,
                                             runtimeCheck: check)
        print(json ? inspection.json : inspection.text, terminator: "")
        if let error = selfTestError, error > 1 { throw ExitCode(1) }
    }
}
