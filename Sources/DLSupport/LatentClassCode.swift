/// The class code of a conditional generator (`dltrain --model dcgan
/// --conditional`, AC-GAN; docs/GAN.md): the last `classes` values of each
/// latent vector are replaced by a one-hot vector that picks the class to
/// draw, and the rest stay standard-normal noise. One helper for every
/// place a latent is made (training, export, calibration, `dlsample`, the
/// quality gate), so that they all agree on where the code goes.
public struct LatentClassCode: Sendable, Equatable {
    /// K: how many classes the code picks from.
    public let classes: Int
    /// L: the latent vector's length, noise and code together.
    public let latentSize: Int

    public init(classes: Int, latentSize: Int) {
        precondition(classes >= 1 && classes < latentSize, "a class code needs 1 <= classes < latent size")
        self.classes = classes
        self.latentSize = latentSize
    }

    /// The default classes of `count` samples: sample k draws class `k mod K`,
    /// so any run of K consecutive samples holds every class once.
    public func cycling(count: Int) -> [Int] { (0..<max(0, count)).map { $0 % classes } }

    /// `latents` (back-to-back vectors of `latentSize`) with vector k's code set to class `codes[k]`.
    public func applying(_ codes: [Int], to latents: [Float]) -> [Float] {
        precondition(latents.count == codes.count * latentSize, "one class per latent vector")
        var out = latents
        let start = latentSize - classes
        for (k, code) in codes.enumerated() {
            precondition((0..<classes).contains(code), "class \(code) is outside 0..<\(classes)")
            let base = k * latentSize + start
            for j in 0..<classes { out[base + j] = j == code ? 1 : 0 }
        }
        return out
    }
}

extension PortableNormal {
    /// `latents(seed:count:size:)`, and with a class `code`, sample k set to
    /// draw class `k mod K`: the latents of the epoch grids, the export's
    /// self-test, int8 calibration and the quality gate.
    public static func latents(seed: UInt64, count: Int, size: Int, code: LatentClassCode?) -> [Float] {
        let noise = latents(seed: seed, count: count, size: size)
        return code.map { $0.applying($0.cycling(count: count), to: noise) } ?? noise
    }
}
