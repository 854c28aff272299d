/// One example: the input as planar floats (CHW for images) and its class.
public struct Sample: Sendable, Equatable {
    public var input: [Float]
    public var label: Int

    public init(input: [Float], label: Int) {
        self.input = input
        self.label = label
    }
}

/// A finite, indexable collection of examples.
///
/// `load(_:into:random:)` is the primitive: it writes example `index` into a
/// caller-provided buffer (so a batch is assembled without per-sample
/// allocations) and returns the label. `random` is a generator private to
/// this (seed, epoch, index), so random augmentation is reproducible and does
/// not depend on which thread loads which example.
public protocol Dataset: Sendable {
    /// The number of examples.
    var count: Int { get }
    /// The shape of one input, e.g. `[1, 28, 28]` or `[3, 32, 32]` (CHW).
    var sampleShape: [Int] { get }
    /// Writes example `index` into `input` (`sampleShape` elements) and returns its label.
    func load(_ index: Int, into input: UnsafeMutableBufferPointer<Float>, random: inout SplitMix64) -> Int
}

extension Dataset {
    /// Elements in one input.
    public var sampleSize: Int { sampleShape.reduce(1, *) }

    /// Example `index`, with augmentation drawn from `(seed, epoch)`.
    public func sample(_ index: Int, seed: UInt64 = 0, epoch: Int = 0) -> Sample {
        precondition(index >= 0 && index < count, "sample index \(index) out of range 0..<\(count)")
        var input = [Float](repeating: 0, count: sampleSize)
        var random = SplitMix64(seed: sampleSeed(seed: seed, epoch: epoch, index: index))
        let label = input.withUnsafeMutableBufferPointer { load(index, into: $0, random: &random) }
        return Sample(input: input, label: label)
    }

    /// Example `index` with seed 0, epoch 0.
    public subscript(index: Int) -> Sample { sample(index) }
}

/// The seed of the generator for one example: a hash of (seed, epoch, index),
/// so every example in every epoch draws independent, reproducible numbers.
func sampleSeed(seed: UInt64, epoch: Int, index: Int) -> UInt64 {
    var a = SplitMix64(seed: seed ^ 0x5DEE_CE66_D1CE_4E5B)
    var b = SplitMix64(seed: a.next() &+ UInt64(bitPattern: Int64(epoch)) &* 0x9E37_79B9_7F4A_7C15)
    var c = SplitMix64(seed: b.next() &+ UInt64(bitPattern: Int64(index)) &* 0xD1B5_4A32_D192_ED03)
    return c.next()
}

/// A uniformly random integer in 0..<bound from a SplitMix64 (Lemire's method, unbiased).
func uniform(_ bound: Int, _ random: inout SplitMix64) -> Int {
    precondition(bound > 0)
    let range = UInt64(bound)
    var product = random.next().multipliedFullWidth(by: range)
    if product.low < range {
        let threshold = (0 &- range) % range
        while product.low < threshold { product = random.next().multipliedFullWidth(by: range) }
    }
    return Int(product.high)
}
