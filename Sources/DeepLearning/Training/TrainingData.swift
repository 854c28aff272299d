import DLImage

/// The train and test splits of a data set found at a path, with the
/// transforms its usual recipe uses (normalisation; random shifts for
/// MNIST, crop and flip augmentation for CIFAR-10 and image folders).
public struct TrainingData: Sendable {
    /// What a data path holds.
    public enum Kind: String, Sendable, Equatable {
        /// `train-images-idx3-ubyte[.gz]` and friends (MNIST, Fashion-MNIST, ...).
        case mnist
        /// CIFAR-10 binary batches (`data_batch_1.bin`..., `test_batch.bin`, optionally under `cifar-10-batches-bin/`).
        case cifar10Binary = "cifar10-binary"
        /// `train/<class>/` and `test/<class>/` with exactly CIFAR-10's ten classes.
        case cifar10Folder = "cifar10-folder"
        /// `train/<class>/` and `test/<class>/` with any classes: images resized and center-cropped to the model's input.
        case imageFolder = "image-folder"
    }

    public var kind: Kind
    public var train: ImageDataset
    public var test: ImageDataset

    /// The class names (the model's output width).
    public var classes: [String] { train.classes }

    static let expected = "a directory of MNIST IDX files (train-images-idx3-ubyte[.gz], ...), CIFAR-10 binary batches (test_batch.bin, ...), or an image folder with train/<class>/ and test/<class>/"

    /// Which data set `path` holds; throws `TrainingError.data` naming the path when it holds none.
    public static func detect(_ path: String) throws -> Kind {
        guard FileIO.exists(path) else { throw TrainingError.data("data path '\(path)' does not exist (expected \(expected))") }
        guard FileIO.isDirectory(path) else { throw TrainingError.data("data path '\(path)' is not a directory (expected \(expected))") }
        let idx = ["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"]
        if idx.contains(where: { FileIO.exists("\(path)/\($0)") }) { return .mnist }
        if FileIO.exists("\(path)/test_batch.bin") || FileIO.exists("\(path)/cifar-10-batches-bin/test_batch.bin") {
            return .cifar10Binary
        }
        if FileIO.isDirectory("\(path)/train") && FileIO.isDirectory("\(path)/test") {
            let classes = (try? FileIO.list("\(path)/train"))?
                .filter { !$0.hasPrefix(".") && FileIO.isDirectory("\(path)/train/\($0)") }.sorted() ?? []
            return classes == CIFAR10.classes.sorted() ? .cifar10Folder : .imageFolder
        }
        throw TrainingError.data("no data set found in '\(path)' (expected \(expected))")
    }

    /// Loads both splits of `path`. `inputShape` ([C, H, W]) sizes image-folder
    /// data; `threads` decodes images.
    public static func load(_ path: String, inputShape: [Int], limitTrain: Int? = nil, limitTest: Int? = nil,
                            threads: Int = 0) throws -> TrainingData {
        let kind = try detect(path)
        var data: TrainingData
        do {
            switch kind {
            case .mnist:
                // Training images are shifted by up to 1/14 of their side (2 px at 28x28), as random
                // crops of the zero-padded image: LeNet-5 overfits MNIST at about 99.0% without it.
                let train = try MNIST.load(directory: path, split: .train)
                var augmented = ImageTransform.mnist
                augmented.randomCropPadding = train.height / 14
                data = TrainingData(kind: kind, train: try train.transformed(augmented),
                                    test: try MNIST.load(directory: path, split: .test))
            case .cifar10Binary, .cifar10Folder:
                data = TrainingData(kind: kind,
                                    train: try CIFAR10.load(root: path, split: .train, transform: .cifar10Train, threads: threads),
                                    test: try CIFAR10.load(root: path, split: .test, transform: .cifar10Test, threads: threads))
            case .imageFolder:
                guard inputShape.count == 3, inputShape[0] == 1 || inputShape[0] == 3 else {
                    throw TrainingError.data("image folders need a model that takes [1 or 3, H, W] input, not \(inputShape)")
                }
                let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
                let mean: [Float] = c == 3 ? [0.485, 0.456, 0.406] : [0.5]
                let std: [Float] = c == 3 ? [0.229, 0.224, 0.225] : [0.5]
                let sizing = ImageFolder.Sizing.resizeAndCenterCrop(width: w, height: h)
                let train = try ImageFolder.load(root: "\(path)/train", sizing: sizing, channels: c,
                                                 transform: ImageTransform(randomCropPadding: max(1, h / 8), randomHorizontalFlip: true,
                                                                           mean: mean, std: std), threads: threads)
                let test = try ImageFolder.load(root: "\(path)/test", sizing: sizing, channels: c,
                                                transform: ImageTransform(mean: mean, std: std), threads: threads)
                guard train.classes == test.classes else {
                    throw TrainingError.data("'\(path)/train' has classes \(train.classes) but '\(path)/test' has \(test.classes)")
                }
                data = TrainingData(kind: kind, train: train, test: test)
            }
        } catch let error as DataError {
            throw TrainingError.data("cannot load \(kind.rawValue) data from '\(path)': \(error)")
        }
        guard data.train.count > 0 else { throw TrainingError.data("'\(path)' has no training examples") }
        guard data.test.count > 0 else { throw TrainingError.data("'\(path)' has no test examples") }
        if let n = limitTrain { data.train = try data.train.evenSubset(n) }
        if let n = limitTest { data.test = try data.test.evenSubset(n) }
        return data
    }
}

extension ImageDataset {
    /// `n` examples spread evenly over the data set (every class of a
    /// class-sorted folder is represented), or all of them when `n >= count`.
    public func evenSubset(_ n: Int) throws -> ImageDataset {
        guard n < count else { return self }
        let size = channels * height * width
        var subsetPixels: [UInt8] = []
        subsetPixels.reserveCapacity(n * size)
        var subsetLabels: [Int] = []
        for k in 0..<n {
            let i = k * count / n
            subsetPixels.append(contentsOf: imageBytes(i))
            subsetLabels.append(labels[i])
        }
        return try ImageDataset(channels: channels, height: height, width: width, pixels: subsetPixels,
                                labels: subsetLabels, classes: classes, transform: transform)
    }
}
