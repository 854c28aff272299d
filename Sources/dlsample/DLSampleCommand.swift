import ArgumentParser
import DLSample
import DLSupport

/// `dlsample gan.dlrt`: parsing and printing only; the work is `DLSample.Sampler`.
@main
struct DLSampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlsample",
        abstract: "Sample images from a generator model (.dlrt) in the C runtime and write them as PNG.",
        discussion: """
        The model is a generator exported by dlexport from a dltrain --model dcgan checkpoint: input a latent \
        vector [N, L] or [N, L, 1, 1], output an image with output.kind = image and output.range in its metadata. \
        Latents are standard-normal values from SplitMix64 + Box-Muller (docs/GAN.md), so the same seed gives \
        byte-identical PNGs on every machine; sample k of a seed does not depend on -n. \
        --interpolate walks from latent 0 of --seed to latent 0 of --to (spherical interpolation) in -n steps. \
        A conditional generator (dltrain --model dcgan --conditional) draws class k mod K for sample k, or --class \
        for all of them (a walk keeps one class, --class or the first).
        Exit status: 0 on success; 1 when the model or an output cannot be used; 64 for a bad command line. \
        Nothing is left on disk when it fails.

        Examples:
          dlsample models/mnist-dcgan.dlrt -n 64 --seed 1 --grid 8x8 -o samples.png
          dlsample gan.dlrt -n 16 --each samples/
          dlsample gan.dlrt --interpolate --seed 3 --to 7 -n 10 --grid 10x1 -o walk.png
          dlsample models/mnist-acgan.dlrt -n 10 --class 7 --grid 10x1 -o sevens.png
        """)

    @Argument(help: "A generator .dlrt model.") var model: String
    @Option(name: .short, help: "How many samples.") var n: Int = 64
    @Option(help: "Seed of the latent vectors.") var seed: UInt64 = 0
    @Option(help: "COLUMNSxROWS of the grid (default: near-square, ceil(sqrt(n)) columns).") var grid: String?
    @Option(name: .short, help: "The grid PNG (default samples.png, or none with --each).") var output: String?
    @Option(help: "Also write one PNG per sample into this directory (created if missing).") var each: String?
    @Flag(help: "A latent walk from --seed to --to instead of independent samples.") var interpolate = false
    @Option(help: "With --interpolate: the seed the walk ends at (default: --seed + 1).") var to: UInt64?
    @Option(name: .customLong("class"), help: "A conditional generator: draw this class (label or index) for every sample.")
    var classChoice: String?
    @Option(help: "Threads for the runtime.") var threads: Int = 1

    func request() throws -> SampleRequest {
        var request = SampleRequest(modelPath: model)
        request.count = n
        request.seed = seed
        request.grid = try grid.map(GridLayout.init(parsing:))
        request.output = output ?? (each == nil ? "samples.png" : nil)
        request.eachDirectory = each
        if interpolate { request.walkTo = to ?? seed &+ 1 }
        request.classChoice = classChoice
        request.threads = threads
        return request
    }

    func validate() throws {
        if to != nil && !interpolate { throw ValidationError("--to needs --interpolate") }
        do { try request().validate() } catch let error as SampleError { throw ValidationError(error.description) }
    }

    func run() throws {
        do {
            let report = try Sampler.run(try request())
            let what = (interpolate ? "a \(n)-step walk from seed \(seed) to \(to ?? seed &+ 1)" : "\(n) samples, seed \(seed)")
                + (classChoice.map { ", class \($0)" } ?? "")
            print("dlsample: \(what), \(report.imageShape) images from \(report.latentSize)-value latents in "
                  + formatted("%.1f ms", report.seconds * 1000) + "; wrote "
                  + (report.files.count <= 2 ? report.files.joined(separator: ", ") : "\(report.files[0]) and \(report.files.count - 1) more")
                  + (output != nil || each == nil ? " (\(report.grid) grid)" : ""))
        } catch let error as SampleError {
            printError("dlsample: error: \(error)")
            throw ExitCode.failure
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

func printError(_ line: String) {
    fputs(line + "\n", stderr)
}
