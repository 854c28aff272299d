import DLImage
import DLSupport

/// One `dlsample` invocation: which model, which latents, where the pictures go.
public struct SampleRequest: Sendable, Equatable {
    public var modelPath: String
    public var count: Int = 64
    public var seed: UInt64 = 0
    /// nil: `GridLayout.fitting(count)`.
    public var grid: GridLayout?
    /// The grid PNG; nil writes none (only with `eachDirectory`).
    public var output: String? = "samples.png"
    /// One PNG per sample in this directory.
    public var eachDirectory: String?
    /// A latent walk from `seed` to this seed instead of independent samples.
    public var walkTo: UInt64?
    /// A conditional generator's class for every sample, by label or index;
    /// nil: sample k draws class `k mod K` (a walk: class 0).
    public var classChoice: String?
    public var threads: Int = 1

    public init(modelPath: String) { self.modelPath = modelPath }

    public var plan: LatentPlan {
        walkTo.map { .walk(from: seed, to: $0, count: count) } ?? .random(seed: seed, count: count)
    }

    /// The arguments alone, before any file is touched.
    public func validate() throws {
        guard count >= 1 else { throw SampleError.invalidArgument("-n must be at least 1, got \(count)") }
        try (grid ?? GridLayout.fitting(count)).check(holding: count)
        guard output != nil || eachDirectory != nil else {
            throw SampleError.invalidArgument("nothing to write: give -o FILE or --each DIR")
        }
        guard threads >= 1 else { throw SampleError.invalidArgument("--threads must be at least 1, got \(threads)") }
    }
}

/// What `Sampler.run` wrote.
public struct SampleReport: Sendable, Equatable {
    public var grid: GridLayout
    public var files: [String]
    public var imageShape: [Int]
    public var latentSize: Int
    public var seconds: Double
}

public enum Sampler {
    /// Checks the arguments, the model and the outputs, runs the generator in
    /// the C runtime and writes the PNGs; on any error nothing new is left on disk.
    public static func run(_ request: SampleRequest) throws -> SampleReport {
        try request.validate()
        let layout = try request.grid ?? GridLayout.fitting(request.count)
        let generator = try Generator(path: request.modelPath)
        if let output = request.output { try SampleOutput.checkWritable(output) }
        if let directory = request.eachDirectory {
            // An existing directory must take files; a new one, its parent.
            try SampleOutput.checkWritable(FileIO.isDirectory(directory) ? directory + "/" + SampleOutput.eachNames(count: 1)[0]
                                                                          : directory)
        }
        let start = monotonicSeconds()
        let latents = try classCoded(try request.plan.latents(size: generator.latentSize), request, generator)
        let images: [Image]
        do {
            images = try generator.images(latents: latents, threads: request.threads)
        } catch let error as SampleError {
            throw error
        } catch {
            throw SampleError.model("the C runtime could not run '\(request.modelPath)': \(error)")
        }
        let seconds = monotonicSeconds() - start
        let picture = try request.output.map { _ in try SampleOutput.grid(images, layout: layout) }
        var files: [String] = []
        var each: (paths: [String], createdDirectory: Bool)?
        if let directory = request.eachDirectory {
            each = try SampleOutput.writeEach(images, to: directory)
            files += each!.paths
        }
        if let output = request.output, let picture {
            do {
                try SampleOutput.write(picture, to: output)
            } catch {
                if let each, let directory = request.eachDirectory {
                    SampleOutput.remove(each.paths, directory: each.createdDirectory ? directory : nil)
                }
                throw error
            }
            files.insert(output, at: 0)
        }
        return SampleReport(grid: layout, files: files, imageShape: generator.imageShape, latentSize: generator.latentSize,
                            seconds: seconds)
    }

    /// The index of `choice` in `labels`, or `choice` read as an index.
    public static func classIndex(_ choice: String, labels: [String]) -> Int? {
        labels.firstIndex(of: choice) ?? Int(choice).flatMap { labels.indices.contains($0) ? $0 : nil }
    }

    /// `latents` with a conditional generator's class codes written in: the request's class, else `k mod K`.
    static func classCoded(_ latents: [Float], _ request: SampleRequest, _ generator: Generator) throws -> [Float] {
        guard let code = generator.classCode else {
            if let choice = request.classChoice {
                throw SampleError.invalidArgument("--class \(choice): '\(request.modelPath)' is an unconditional generator (its metadata has no input.latent_classes)")
            }
            return latents
        }
        let count = latents.count / generator.latentSize
        let codes: [Int]
        if let choice = request.classChoice {
            guard let index = classIndex(choice, labels: generator.labels) else {
                throw SampleError.invalidArgument("--class \(choice): '\(request.modelPath)' draws the classes "
                                                  + generator.labels.joined(separator: ", ") + " (by name or index 0...\(code.classes - 1))")
            }
            codes = [Int](repeating: index, count: count)
        } else {
            codes = request.walkTo == nil ? code.cycling(count: count) : [Int](repeating: 0, count: count)
        }
        return code.applying(codes, to: latents)
    }
}
