import ArgumentParser
import DLExport
import DLRuntime
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

        Examples:
          dlexport resnet20.ckpt                      writes resnet20.dlrt
          dlexport lenet5.ckpt -o models/lenet5.dlrt --labels digits.txt
          dlexport --inspect resnet20.dlrt [--json]
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

    func validate() throws {
        if json && !inspect { throw ValidationError("--json goes with --inspect") }
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
        let exported = try ModelExporter.export(checkpointAt: input, to: outputPath, options: options)
        print("dlexport: wrote '\(outputPath)' (\(exported.bytes.count) bytes)")
        print(exported.summary)
    }

    /// `model.ckpt` -> `model.dlrt`; any other name gets `.dlrt` appended.
    static func defaultOutput(for checkpoint: String) -> String {
        checkpoint.hasSuffix(".ckpt") ? String(checkpoint.dropLast(5)) + ".dlrt" : checkpoint + ".dlrt"
    }

    /// Refuses, before the export's work, an output that is the checkpoint
    /// itself, a directory, or in a directory that does not exist. (Other
    /// write failures surface from the atomic write, which leaves nothing behind.)
    static func checkOutput(_ path: String, checkpoint: String) throws {
        guard !path.isEmpty, !path.hasSuffix("/") else { throw ExportError.invalidArgument("-o '\(path)' is not a file path") }
        guard path != checkpoint else { throw ExportError.invalidArgument("-o '\(path)' would overwrite the checkpoint") }
        guard !FileIO.isDirectory(path) else { throw ExportError.invalidArgument("-o '\(path)' is a directory") }
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { path[..<$0].isEmpty ? "/" : String(path[..<$0]) } ?? "."
        guard FileIO.isDirectory(directory) else {
            throw ExportError.invalidArgument("cannot write '\(path)': the directory '\(directory)' does not exist")
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
