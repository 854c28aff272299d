import DLImage

/// CIFAR-10: 32x32 RGB, 10 classes, 50,000 train + 10,000 test.
///
/// Two layouts are read:
/// - the binary version (`data_batch_1...5.bin`, `test_batch.bin`, optionally
///   in `cifar-10-batches-bin/`): records of 1 label byte + 3072 bytes CHW;
/// - an image-folder tree (`train/<class>/*.jpg|png`, `test/<class>/...`).
/// `load(root:split:)` picks whichever `root` holds.
public enum CIFAR10 {
    public enum Split: String, Sendable { case train, test }

    public static let classes = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]
    /// Per-channel statistics of the training set (0...1 scale).
    public static let mean: [Float] = [0.4914, 0.4822, 0.4465]
    public static let std: [Float] = [0.2470, 0.2435, 0.2616]
    static let recordSize = 1 + 3 * 32 * 32

    /// Loads a split from either layout. `threads` applies to image decoding (0: every online CPU).
    public static func load(root: String, split: Split, transform: ImageTransform = .unitRange,
                            threads: Int = 0) throws -> ImageDataset {
        for directory in [root, "\(root)/cifar-10-batches-bin"] where FileIO.exists("\(directory)/test_batch.bin") {
            return try loadBinary(directory: directory, split: split, transform: transform)
        }
        let folder = "\(root)/\(split.rawValue)"
        if FileIO.isDirectory(folder) {
            return try loadImageFolder(folder, transform: transform, threads: threads)
        }
        throw DataError.notFound(path: root, message: "neither CIFAR-10 binary batches (test_batch.bin) nor a \(split.rawValue)/ image folder")
    }

    /// The binary batches of a split in `directory`.
    public static func loadBinary(directory: String, split: Split, transform: ImageTransform = .unitRange) throws -> ImageDataset {
        let names = split == .train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
        var pixels: [UInt8] = []
        var labels: [Int] = []
        for name in names {
            let path = "\(directory)/\(name)"
            guard FileIO.exists(path) else { throw DataError.notFound(path: path, message: "CIFAR-10 batch missing") }
            let data: [UInt8]
            do { data = try FileIO.read(path) } catch { throw DataError.image(ImageError(error)) }
            guard !data.isEmpty, data.count % recordSize == 0 else {
                throw DataError.invalidFormat(path: path, message: "\(data.count) bytes is not a whole number of \(recordSize)-byte records")
            }
            let records = data.count / recordSize
            pixels.reserveCapacity(pixels.count + records * (recordSize - 1))
            for r in 0..<records {
                let offset = r * recordSize
                let label = Int(data[offset])
                guard label < 10 else {
                    throw DataError.invalidFormat(path: path, message: "record \(r) has label \(label) (need 0...9)")
                }
                labels.append(label)
                pixels.append(contentsOf: data[(offset + 1)..<(offset + recordSize)])
            }
        }
        return try ImageDataset(channels: 3, height: 32, width: 32, pixels: pixels, labels: labels, classes: classes,
                                transform: transform)
    }

    /// An image-folder split (`<split>/<class>/*.jpg`); the class folders must be CIFAR-10's ten.
    public static func loadImageFolder(_ folder: String, transform: ImageTransform = .unitRange,
                                       threads: Int = 0) throws -> ImageDataset {
        let dataset = try ImageFolder.load(root: folder, sizing: .exactly(width: 32, height: 32), channels: 3,
                                           transform: transform, threads: threads)
        guard dataset.classes == classes else {
            throw DataError.invalidFormat(path: folder, message: "class folders \(dataset.classes), expected \(classes)")
        }
        return dataset
    }
}
