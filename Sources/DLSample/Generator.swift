import DLImage
import DLRuntime
import DLSupport

/// A generator model (`dlexport` of a GAN checkpoint) run by the C runtime:
/// latent vectors in, 8-bit images out.
///
/// The contract it checks: one input, [1, L] or [1, L, 1, 1] (a latent
/// vector of L values); one output [1, C, H, W] with C 1 or 3; metadata
/// `output.kind = image` and `output.range = [lo, hi]` (docs/FORMAT.md).
/// A conditional generator (AC-GAN) also has `input.latent_classes` K and
/// K `labels`: its latent ends in a one-hot class code.
public final class Generator {
    public let model: Model
    public let path: String
    /// L.
    public let latentSize: Int
    /// [C, H, W].
    public let imageShape: [Int]
    public let range: ClosedRange<Float>
    /// Where a conditional generator's class code sits; nil when unconditional.
    public let classCode: LatentClassCode?
    /// The names of a conditional generator's classes; empty when unconditional.
    public let labels: [String]

    static let expected = "a generator: input a latent vector [N, L] or [N, L, 1, 1], output an image [N, C, H, W] with metadata output.kind = image (dlexport of a dltrain --model dcgan checkpoint)"

    public convenience init(path: String) throws {
        let model: Model
        do { model = try Model(path: path) } catch { throw SampleError.model("cannot load '\(path)': \(error)") }
        try self.init(model: model, path: path)
    }

    public init(model: Model, path: String = "<model>") throws {
        func refuse(_ why: String) -> SampleError { .model("'\(path)' is not \(Self.expected): \(why)") }
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw refuse("it has \(model.inputs.count) inputs and \(model.outputs.count) outputs, not 1 and 1")
        }
        let input = model.inputs[0].shape, output = model.outputs[0].shape
        let kind = model.string("output.kind")
        guard kind == "image" else {
            throw refuse("its input is \(input) and its output.kind is \(kind.map { "'\($0)'" } ?? "absent")")
        }
        guard input.count == 2 || (input.count == 4 && input[2] == 1 && input[3] == 1), input[1] >= 1 else {
            throw refuse("its input is \(input)")
        }
        guard output.count == 4, output[1] == 1 || output[1] == 3 else {
            throw refuse("its output is \(output), not [N, 1 or 3, H, W]")
        }
        guard let bounds = model.doubles("output.range"), bounds.count == 2, bounds[0].isFinite, bounds[1].isFinite,
              bounds[0] < bounds[1] else {
            throw refuse("its metadata has no valid output.range [lo, hi]")
        }
        var code: LatentClassCode?
        var labels: [String] = []
        if let k = model.int("input.latent_classes") {
            guard k >= 1, k < input[1] else {
                throw refuse("its input.latent_classes \(k) does not fit a latent of \(input[1]) values")
            }
            labels = model.strings("labels") ?? []
            guard labels.count == k else {
                throw refuse("it has input.latent_classes \(k) but \(labels.count) labels")
            }
            code = LatentClassCode(classes: Int(k), latentSize: input[1])
        }
        self.model = model
        self.path = path
        classCode = code
        self.labels = labels
        latentSize = input[1]
        imageShape = Array(output.dropFirst())
        range = Float(bounds[0])...Float(bounds[1])
    }

    /// The generator's raw outputs for `latents` (count · L values), in batches of at most `batch`.
    public func outputs(latents: [Float], threads: Int = 1, batch: Int = 64) throws -> [Float] {
        let count = latents.count / latentSize
        precondition(count * latentSize == latents.count && count >= 1, "latents must hold whole vectors")
        let session = try Session(model: model, threads: threads, batch: min(batch, count))
        var out: [Float] = []
        out.reserveCapacity(count * imageShape.reduce(1, *))
        var start = 0
        while start < count {
            let n = min(session.batch, count - start)
            var chunk = Array(latents[(start * latentSize)..<((start + n) * latentSize)])
            // The last partial batch is padded with zeros and its extra outputs dropped.
            chunk += [Float](repeating: 0, count: (session.batch - n) * latentSize)
            let result = try session.run([chunk])[0]
            out += result[0..<(n * imageShape.reduce(1, *))]
            start += n
        }
        return out
    }

    /// The images for `latents`, each value mapped from `range` to 0...255.
    public func images(latents: [Float], threads: Int = 1) throws -> [Image] {
        let values = try outputs(latents: latents, threads: threads)
        let size = imageShape.reduce(1, *)
        return try (0..<(values.count / size)).map { k in
            try Image(planar: values[(k * size)..<((k + 1) * size)], channels: imageShape[0], height: imageShape[1],
                      width: imageShape[2], range: range)
        }
    }
}
