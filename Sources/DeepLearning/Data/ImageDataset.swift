/// Per-example augmentation and normalisation for 8-bit image data sets.
///
/// Applied in this order: random crop (after zero padding), horizontal
/// flip, `(pixel / 255 * (range.upper - range.lower) + range.lower - mean[c]) / std[c]`,
/// then cutout.
public struct ImageTransform: Sendable, Equatable {
    /// Zero-pad by this many pixels on every side, then take a random crop of the original size (0: off).
    public var randomCropPadding: Int
    /// Mirror left-right with probability 1/2.
    public var randomHorizontalFlip: Bool
    /// Cutout (DeVries & Taylor 2017): zero a square of this side, centred on a
    /// uniformly drawn pixel and clipped at the border, after normalisation
    /// (with the data set's mean and std, 0 is its mean colour). 0: off.
    public var cutout: Int = 0
    /// Per-channel mean and std (1 value for all channels, or one per channel), in the units of `range`.
    public var mean: [Float]
    public var std: [Float]
    /// The interval 0...255 is mapped onto before normalising.
    public var range: ClosedRange<Float>

    public init(randomCropPadding: Int = 0, randomHorizontalFlip: Bool = false, mean: [Float] = [0], std: [Float] = [1],
                range: ClosedRange<Float> = 0...1) {
        self.randomCropPadding = randomCropPadding
        self.randomHorizontalFlip = randomHorizontalFlip
        self.mean = mean
        self.std = std
        self.range = range
    }

    /// Scaling to 0...1, nothing else.
    public static let unitRange = ImageTransform()

    /// The usual CIFAR-10 training recipe: pad 4 + random 32x32 crop, flip, per-channel normalisation.
    public static let cifar10Train = ImageTransform(randomCropPadding: 4, randomHorizontalFlip: true,
                                                    mean: CIFAR10.mean, std: CIFAR10.std)
    /// CIFAR-10 evaluation: normalisation only.
    public static let cifar10Test = ImageTransform(mean: CIFAR10.mean, std: CIFAR10.std)
    /// MNIST: the classic mean 0.1307, std 0.3081.
    public static let mnist = ImageTransform(mean: [MNIST.mean], std: [MNIST.std])
}

/// Decoded 8-bit images held in memory (CHW per image), with labels: what
/// `MNIST`, `CIFAR10` and `ImageFolder` load. Decoding happens once; every
/// epoch reads from here, so training is not decode-bound.
public struct ImageDataset: Dataset, Equatable {
    public let channels: Int
    public let height: Int
    public let width: Int
    /// `count * channels * height * width` bytes; image i is planar CHW at `i * channels * height * width`.
    public let pixels: [UInt8]
    public let labels: [Int]
    /// Class names, indexed by label.
    public let classes: [String]
    /// Applied by `load`; change with `transformed(_:)`.
    public private(set) var transform: ImageTransform

    /// Per-channel lookup: sample value -> normalised float (256 per channel).
    private var table: [Float]

    public init(channels: Int, height: Int, width: Int, pixels: [UInt8], labels: [Int], classes: [String],
                transform: ImageTransform = .unitRange) throws {
        guard channels > 0, height > 0, width > 0 else {
            throw DataError.invalidArgument("image shape \(channels)x\(height)x\(width) must be positive")
        }
        guard pixels.count == labels.count * channels * height * width else {
            throw DataError.invalidArgument(
                "\(labels.count) images of \(channels)x\(height)x\(width) need \(labels.count * channels * height * width) bytes, got \(pixels.count)")
        }
        if let bad = labels.first(where: { $0 < 0 || $0 >= classes.count }) {
            throw DataError.invalidArgument("label \(bad) outside the \(classes.count) classes")
        }
        self.channels = channels
        self.height = height
        self.width = width
        self.pixels = pixels
        self.labels = labels
        self.classes = classes
        self.transform = transform
        self.table = try ImageDataset.makeTable(transform, channels: channels)
    }

    /// The same images with another transform (storage is shared, not copied).
    public func transformed(_ transform: ImageTransform) throws -> ImageDataset {
        var copy = self
        copy.table = try ImageDataset.makeTable(transform, channels: channels)
        copy.transform = transform
        return copy
    }

    public var count: Int { labels.count }
    public var sampleShape: [Int] { [channels, height, width] }

    /// Examples per class, indexed by label.
    public var labelHistogram: [Int] {
        var histogram = [Int](repeating: 0, count: classes.count)
        for label in labels { histogram[label] += 1 }
        return histogram
    }

    /// The stored (untransformed) bytes of image `index`, CHW.
    public func imageBytes(_ index: Int) -> ArraySlice<UInt8> {
        let size = channels * height * width
        return pixels[(index * size)..<((index + 1) * size)]
    }

    public func load(_ index: Int, into input: UnsafeMutableBufferPointer<Float>, random: inout SplitMix64) -> Int {
        precondition(index >= 0 && index < count, "index \(index) out of range 0..<\(count)")
        precondition(input.count >= channels * height * width, "buffer too small")
        let padding = transform.randomCropPadding
        var dx = 0, dy = 0, flip = false
        if padding > 0 {
            dy = uniform(2 * padding + 1, &random) - padding
            dx = uniform(2 * padding + 1, &random) - padding
        }
        if transform.randomHorizontalFlip { flip = random.next() & 1 == 1 }
        let plane = height * width
        let base = index * channels * plane
        let width = self.width, height = self.height
        pixels.withUnsafeBufferPointer { src in
            table.withUnsafeBufferPointer { lut in
                for c in 0..<channels {
                    let channelBase = base + c * plane
                    let l = c * 256
                    let zero = lut[l]
                    for y in 0..<height {
                        let sy = y + dy
                        let out = c * plane + y * width
                        if sy < 0 || sy >= height {
                            for x in 0..<width { input[out + x] = zero }
                            continue
                        }
                        let row = channelBase + sy * width
                        if dx == 0 && !flip {
                            for x in 0..<width { input[out + x] = lut[l + Int(src[row + x])] }
                            continue
                        }
                        for x in 0..<width {
                            let sx = (flip ? width - 1 - x : x) + dx
                            input[out + x] = (sx < 0 || sx >= width) ? zero : lut[l + Int(src[row + sx])]
                        }
                    }
                }
            }
        }
        if transform.cutout > 0 { cut(input, random: &random) }
        return labels[index]
    }

    /// Zeroes the cutout square of the image in `input`.
    private func cut(_ input: UnsafeMutableBufferPointer<Float>, random: inout SplitMix64) {
        let side = transform.cutout
        let cy = uniform(height, &random), cx = uniform(width, &random)
        let y0 = max(0, cy - side / 2), y1 = min(height, cy - side / 2 + side)
        let x0 = max(0, cx - side / 2), x1 = min(width, cx - side / 2 + side)
        guard y0 < y1, x0 < x1 else { return }
        for c in 0..<channels {
            for y in y0..<y1 {
                let row = (c * height + y) * width
                for x in x0..<x1 { input[row + x] = 0 }
            }
        }
    }

    public static func == (a: ImageDataset, b: ImageDataset) -> Bool {
        a.channels == b.channels && a.height == b.height && a.width == b.width && a.labels == b.labels
            && a.classes == b.classes && a.transform == b.transform && a.pixels == b.pixels
    }

    private static func makeTable(_ transform: ImageTransform, channels: Int) throws -> [Float] {
        let mean = transform.mean, std = transform.std
        guard mean.count == 1 || mean.count == channels, std.count == 1 || std.count == channels else {
            throw DataError.invalidArgument(
                "mean (\(mean.count) values) and std (\(std.count)) need 1 or \(channels) values")
        }
        guard std.allSatisfy({ $0 != 0 && $0.isFinite }), mean.allSatisfy({ $0.isFinite }) else {
            throw DataError.invalidArgument("std must be finite and nonzero, mean finite")
        }
        guard transform.randomCropPadding >= 0 else {
            throw DataError.invalidArgument("random crop padding \(transform.randomCropPadding) is negative")
        }
        guard transform.cutout >= 0 else {
            throw DataError.invalidArgument("cutout side \(transform.cutout) is negative")
        }
        let width = transform.range.upperBound - transform.range.lowerBound
        var table = [Float](repeating: 0, count: channels * 256)
        for c in 0..<channels {
            let m = mean.count == 1 ? mean[0] : mean[c]
            let s = std.count == 1 ? std[0] : std[c]
            for v in 0..<256 { table[c * 256 + v] = (Float(v) * width / 255 + transform.range.lowerBound - m) / s }
        }
        return table
    }
}
