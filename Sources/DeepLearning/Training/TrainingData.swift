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
    /// How a model's input is made from images of this data: what the
    /// checkpoint stores for `dlexport` (its `INPUT` section).
    public var inputContract: InputContract

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
                let test = try MNIST.load(directory: path, split: .test, transform: evaluationTransform(kind, channels: 1))
                data = TrainingData(kind: kind, train: try train.transformed(augmented), test: test,
                                    inputContract: inputContract(kind, path: path, inputShape: test.sampleShape))
            case .cifar10Binary, .cifar10Folder:
                let test = try CIFAR10.load(root: path, split: .test, transform: evaluationTransform(kind, channels: 3),
                                            threads: threads)
                data = TrainingData(kind: kind,
                                    train: try CIFAR10.load(root: path, split: .train, transform: .cifar10Train, threads: threads),
                                    test: test, inputContract: inputContract(kind, path: path, inputShape: test.sampleShape))
            case .imageFolder:
                guard inputShape.count == 3, inputShape[0] == 1 || inputShape[0] == 3 else {
                    throw TrainingError.data("image folders need a model that takes [1 or 3, H, W] input, not \(inputShape)")
                }
                let (c, h, w) = (inputShape[0], inputShape[1], inputShape[2])
                let evaluation = evaluationTransform(kind, channels: c)
                let sizing = ImageFolder.Sizing.resizeAndCenterCrop(width: w, height: h)
                let train = try ImageFolder.load(root: "\(path)/train", sizing: sizing, channels: c,
                                                 transform: ImageTransform(randomCropPadding: max(1, h / 8), randomHorizontalFlip: true,
                                                                           mean: evaluation.mean, std: evaluation.std), threads: threads)
                let test = try ImageFolder.load(root: "\(path)/test", sizing: sizing, channels: c,
                                                transform: evaluation, threads: threads)
                guard train.classes == test.classes else {
                    throw TrainingError.data("'\(path)/train' has classes \(train.classes) but '\(path)/test' has \(test.classes)")
                }
                data = TrainingData(kind: kind, train: train, test: test,
                                    inputContract: inputContract(kind, path: path, inputShape: inputShape))
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

    /// The normalisation of the test split (no augmentation): what a deployed model's input needs.
    /// MNIST its classic mean and std, CIFAR-10 its per-channel ones, image folders ImageNet's.
    public static func evaluationTransform(_ kind: Kind, channels: Int) -> ImageTransform {
        switch kind {
        case .mnist: return .mnist
        case .cifar10Binary, .cifar10Folder: return .cifar10Test
        case .imageFolder:
            return channels == 3 ? ImageTransform(mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225])
                                 : ImageTransform(mean: [0.5], std: [0.5])
        }
    }

    /// The input contract of `kind` data at `path` for a model taking `inputShape` ([C, H, W]):
    /// the test split's normalisation; MNIST digits are stretched to the input, photos
    /// (CIFAR-10, image folders) scaled to cover it and center-cropped, as `ImageFolder` sizes them.
    public static func inputContract(_ kind: Kind, path: String, inputShape: [Int]) -> InputContract {
        let channels = inputShape.first ?? 1
        let side = inputShape.dropFirst().max() ?? 1
        let dataset: String
        switch kind {
        case .mnist: dataset = "mnist"
        case .cifar10Binary, .cifar10Folder: dataset = "cifar10"
        case .imageFolder: dataset = path.split(separator: "/").last.map(String.init) ?? path
        }
        return InputContract(dataset: dataset, channels: channels, transform: evaluationTransform(kind, channels: channels),
                             resize: kind == .mnist ? .stretch : .centerCrop(shorterSide: side))
    }

    /// Test example `index` as a checkpoint sample (8-bit CHW, before normalisation).
    public func testSample(_ index: Int = 0) -> InputSample {
        InputSample(shape: test.sampleShape, pixels: Array(test.imageBytes(index)), label: test.labels[index],
                    source: "\(inputContract.dataset) test image \(index)")
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
