import DLImage

/// MNIST (and anything else in IDX format: Fashion-MNIST, KMNIST, EMNIST).
///
/// Reads `train-images-idx3-ubyte[.gz]` / `train-labels-idx1-ubyte[.gz]`
/// (or the `t10k-` pair for `.test`), gzip'd or not, and validates magic
/// numbers, dimensions and lengths before trusting any count.
public enum MNIST {
    public enum Split: String, Sendable { case train, test }

    public static let mean: Float = 0.1307
    public static let std: Float = 0.3081
    public static let classes = (0..<10).map(String.init)

    /// Loads one split from `directory` as 1x28x28 images, labels 0...9.
    public static func load(directory: String, split: Split, transform: ImageTransform = .mnist) throws -> ImageDataset {
        let prefix = split == .train ? "train" : "t10k"
        let imagesPath = try locate(directory, "\(prefix)-images-idx3-ubyte")
        let labelsPath = try locate(directory, "\(prefix)-labels-idx1-ubyte")
        let images = try IDX.read(imagesPath)
        let labels = try IDX.read(labelsPath)
        guard images.dimensions.count == 3 else {
            throw DataError.invalidFormat(path: imagesPath, message: "expected 3 dimensions (count, rows, columns), got \(images.dimensions)")
        }
        guard labels.dimensions.count == 1 else {
            throw DataError.invalidFormat(path: labelsPath, message: "expected 1 dimension, got \(labels.dimensions)")
        }
        guard images.dimensions[0] == labels.dimensions[0] else {
            throw DataError.invalidFormat(path: labelsPath,
                                          message: "\(labels.dimensions[0]) labels for \(images.dimensions[0]) images in \(imagesPath)")
        }
        let labelValues = labels.bytes.map(Int.init)
        let classCount = max(10, (labelValues.max() ?? 0) + 1)
        return try ImageDataset(channels: 1, height: images.dimensions[1], width: images.dimensions[2], pixels: images.bytes,
                                labels: labelValues, classes: (0..<classCount).map(String.init), transform: transform)
    }

    /// `name` or `name.gz` in `directory`.
    static func locate(_ directory: String, _ name: String) throws -> String {
        for candidate in ["\(directory)/\(name).gz", "\(directory)/\(name)"] where FileIO.exists(candidate) {
            return candidate
        }
        throw DataError.notFound(path: "\(directory)/\(name)", message: "neither \(name) nor \(name).gz is in \(directory)")
    }
}

/// The IDX container (unsigned-byte data only): magic `00 00 08 nd`, nd
/// big-endian 32-bit dimensions, then the bytes.
public enum IDX {
    /// Caps: dimensions and total bytes (1 GiB).
    static let maxBytes = 1 << 30

    public static func read(_ path: String) throws -> (dimensions: [Int], bytes: [UInt8]) {
        var data: [UInt8]
        do {
            do { data = try FileIO.read(path) } catch { throw ImageError(error) }
            if Gzip.isGzip(data) { data = try Gzip.decompress(data, maxBytes: maxBytes) }
        } catch let error as ImageError {
            throw DataError.image(error.prefixedForData(path))
        }
        return try parse(data, path: path)
    }

    public static func parse(_ data: [UInt8], path: String = "<memory>") throws -> (dimensions: [Int], bytes: [UInt8]) {
        guard data.count >= 4, data[0] == 0, data[1] == 0 else {
            throw DataError.invalidFormat(path: path, message: "not an IDX file (bad magic)")
        }
        guard data[2] == 0x08 else {
            throw DataError.invalidFormat(path: path, message: "IDX element type 0x\(String(data[2], radix: 16)) (only unsigned bytes, 0x08, are supported)")
        }
        let rank = Int(data[3])
        guard rank >= 1 && rank <= 4 else { throw DataError.invalidFormat(path: path, message: "IDX rank \(rank) (need 1...4)") }
        let headerSize = 4 + 4 * rank
        guard data.count >= headerSize else {
            throw DataError.invalidFormat(path: path, message: "truncated IDX header (\(data.count) bytes)")
        }
        var dimensions: [Int] = []
        var total = 1
        for d in 0..<rank {
            let o = 4 + 4 * d
            let value = Int(data[o]) << 24 | Int(data[o + 1]) << 16 | Int(data[o + 2]) << 8 | Int(data[o + 3])
            dimensions.append(value)
            total *= max(value, 1)
            guard total <= maxBytes else { throw DataError.invalidFormat(path: path, message: "IDX dimensions \(dimensions) are too large") }
        }
        let expected = dimensions.reduce(1, *)
        guard data.count - headerSize == expected else {
            throw DataError.invalidFormat(path: path,
                                          message: "IDX dimensions \(dimensions) need \(expected) data bytes, file has \(data.count - headerSize)")
        }
        return (dimensions, Array(data[headerSize...]))
    }
}

extension ImageError {
    /// The error with the file named, for data-set loaders.
    func prefixedForData(_ path: String) -> ImageError {
        if case .io = self { return self }
        return prefixed(with: path)
    }
}
