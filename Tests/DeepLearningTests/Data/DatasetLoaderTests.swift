import DLImage
import Testing
@testable import DeepLearning

/// IDX, CIFAR-10 binary and image-folder loaders on data the tests write themselves.
@Suite struct DatasetLoaderTests {
    @Test(arguments: [false, true])
    func mnistFromIDX(gzipped: Bool) throws {
        let directory = try DataFixtures.makeTempDirectory()
        defer { DataFixtures.remove(directory) }
        try DataFixtures.writeMNIST(directory, prefix: "train", count: 25, gzipped: gzipped)
        try DataFixtures.writeMNIST(directory, prefix: "t10k", count: 7, gzipped: gzipped)
        let train = try MNIST.load(directory: directory, split: .train, transform: .unitRange)
        let test = try MNIST.load(directory: directory, split: .test)
        #expect(train.count == 25 && test.count == 7)
        #expect(train.sampleShape == [1, 4, 3])
        #expect(train.labels == (0..<25).map { $0 % 10 })
        #expect(train.labelHistogram == [3, 3, 3, 3, 3, 2, 2, 2, 2, 2])
        let sample = train[2]
        #expect(sample.label == 2)
        #expect(sample.input == (0..<12).map { Float(32 + $0) / 255 })
        // The default transform is MNIST's normalisation.
        #expect(abs(test[0].input[0] - (0 - MNIST.mean) / MNIST.std) < 1e-6)
    }

    @Test func idxRefusesMalformedFiles() throws {
        let directory = try DataFixtures.makeTempDirectory()
        defer { DataFixtures.remove(directory) }
        let good = DataFixtures.idx(dimensions: [2, 2, 2], bytes: [UInt8](repeating: 1, count: 8))
        #expect(try IDX.parse(good).dimensions == [2, 2, 2])
        let cases: [(String, [UInt8])] = [
            ("empty", []),
            ("bad magic", [1, 0, 8, 1, 0, 0, 0, 0]),
            ("float elements", [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]),
            ("rank 0", [0, 0, 8, 0]),
            ("truncated header", [0, 0, 8, 3, 0, 0]),
            ("short data", Array(good.dropLast())),
            ("extra data", good + [0]),
            ("huge dimensions", DataFixtures.idx(dimensions: [0x7FFF_FFFF, 0x7FFF_FFFF, 2], bytes: [])),
        ]
        for (name, bytes) in cases {
            #expect(throws: DataError.self, "\(name)") { try IDX.parse(bytes) }
        }
        // Labels and images that disagree on the count; a truncated .gz; a missing file.
        try DataFixtures.write(DataFixtures.idx(dimensions: [3, 2, 2], bytes: [UInt8](repeating: 0, count: 12)), "\(directory)/train-images-idx3-ubyte")
        try DataFixtures.write(DataFixtures.idx(dimensions: [2], bytes: [0, 1]), "\(directory)/train-labels-idx1-ubyte")
        #expect(throws: DataError.self) { try MNIST.load(directory: directory, split: .train) }
        if let gz = DataFixtures.gzip(DataFixtures.idx(dimensions: [2], bytes: [0, 1])) {
            try DataFixtures.write(Array(gz.dropLast(5)), "\(directory)/t10k-labels-idx1-ubyte.gz")
            try DataFixtures.write(DataFixtures.idx(dimensions: [2, 2, 2], bytes: [UInt8](repeating: 0, count: 8)), "\(directory)/t10k-images-idx3-ubyte")
            #expect(throws: DataError.self) { try MNIST.load(directory: directory, split: .test) }
        }
        #expect(throws: DataError.self) { try MNIST.load(directory: directory + "/nowhere", split: .train) }
    }

    @Test func cifarBinaryBatches() throws {
        let directory = try DataFixtures.makeTempDirectory()
        defer { DataFixtures.remove(directory) }
        let binary = directory + "/cifar-10-batches-bin"
        try DataFixtures.mkdir(binary)
        for b in 1...5 {
            try DataFixtures.write((0..<3).flatMap { DataFixtures.cifarRecord(label: (b + $0) % 10) }, "\(binary)/data_batch_\(b).bin")
        }
        try DataFixtures.write([9, 0].flatMap { DataFixtures.cifarRecord(label: $0) }, "\(binary)/test_batch.bin")
        let train = try CIFAR10.load(root: directory, split: .train)
        let test = try CIFAR10.load(root: directory, split: .test)
        #expect(train.count == 15 && test.count == 2)
        #expect(train.classes == CIFAR10.classes && train.sampleShape == [3, 32, 32])
        #expect(test.labels == [9, 0])
        #expect(Array(train.imageBytes(0)) == Array(DataFixtures.cifarRecord(label: 1).dropFirst()))
        let sample = test[0] // CHW: channel 1 starts at 1024
        #expect(sample.input[1024] == Float((63 + 50) % 256) / 255)
        // A partial record; a label of 10.
        try DataFixtures.write(Array(DataFixtures.cifarRecord(label: 1).dropLast()), "\(binary)/test_batch.bin")
        #expect(throws: DataError.self) { try CIFAR10.load(root: directory, split: .test) }
        try DataFixtures.write(DataFixtures.cifarRecord(label: 10), "\(binary)/test_batch.bin")
        #expect(throws: DataError.self) { try CIFAR10.load(root: directory, split: .test) }
    }

    /// root/<class>/*.png|jpg with classes sorted, PNG pixels exact, CHW layout.
    @Test func imageFolder() throws {
        let root = try DataFixtures.makeTempDirectory()
        defer { DataFixtures.remove(root) }
        for name in ["zebra", "ant", "cat"] { try DataFixtures.mkdir("\(root)/\(name)") }
        try DataFixtures.mkdir("\(root)/.hidden")
        func solid(_ r: UInt8, _ g: UInt8, _ b: UInt8) throws -> Image {
            try Image(width: 4, height: 2, channels: 3, pixels: Array([[UInt8]](repeating: [r, g, b], count: 8).joined()))
        }
        try solid(10, 20, 30).writePNG(to: "\(root)/ant/b.png")
        try solid(40, 50, 60).writePNG(to: "\(root)/ant/a.PNG")
        try DataFixtures.write(try solid(200, 100, 0).jpegData(quality: 100), "\(root)/cat/x.jpg")
        try solid(1, 2, 3).converted(toChannels: 1).writePNG(to: "\(root)/zebra/gray.png")
        try DataFixtures.write(Array("notes".utf8), "\(root)/zebra/readme.txt")
        try solid(9, 9, 9).writePNG(to: "\(root)/zebra/.hidden.png")
        let dataset = try ImageFolder.load(root: root, sizing: .exactly(width: 4, height: 2))
        #expect(dataset.classes == ["ant", "cat", "zebra"])
        #expect(dataset.labels == [0, 0, 1, 2])
        #expect(dataset.count == 4 && dataset.sampleShape == [3, 2, 4])
        // a.PNG sorts before b.png (byte order: 'a' < 'b'); CHW: 8 R, then 8 G, then 8 B.
        #expect(Array(dataset.imageBytes(0)) == [UInt8](repeating: 40, count: 8) + [UInt8](repeating: 50, count: 8) + [UInt8](repeating: 60, count: 8))
        #expect(Array(dataset.imageBytes(3)) == [UInt8](repeating: 2, count: 24)) // gray expanded: luma of (1, 2, 3) = 2
        let jpeg = Array(dataset.imageBytes(2))
        #expect(abs(Int(jpeg[0]) - 200) <= 3 && abs(Int(jpeg[8]) - 100) <= 3 && abs(Int(jpeg[16])) <= 3)
        // One thread and many give the same bytes.
        #expect(try ImageFolder.load(root: root, sizing: .exactly(width: 4, height: 2), threads: 1) == dataset)
        // Gray output.
        #expect(try ImageFolder.load(root: root, sizing: .exactly(width: 4, height: 2), channels: 1).sampleShape == [1, 2, 4])
        // Wrong size: an error naming the file; or resized and cropped on request.
        try solid(7, 7, 7).resized(width: 8, height: 8).writePNG(to: "\(root)/cat/big.png")
        #expect {
            try ImageFolder.load(root: root, sizing: .exactly(width: 4, height: 2))
        } throws: { error in
            "\(error)".contains("big.png") && "\(error)".contains("8x8")
        }
        let resized = try ImageFolder.load(root: root, sizing: .resizeAndCenterCrop(width: 4, height: 2))
        #expect(resized.count == 5 && Array(resized.imageBytes(2)) == [UInt8](repeating: 7, count: 24))
        // A corrupt image: refused, naming the file.
        try DataFixtures.write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3], "\(root)/ant/c.png")
        #expect {
            try ImageFolder.load(root: root, sizing: .resizeAndCenterCrop(width: 4, height: 2))
        } throws: { error in
            "\(error)".contains("c.png")
        }
        #expect(throws: DataError.self) { try ImageFolder.load(root: root + "/missing", sizing: .exactly(width: 4, height: 2)) }
    }

    @Test func cifarImageFolderLayout() throws {
        let root = try DataFixtures.makeTempDirectory()
        defer { DataFixtures.remove(root) }
        for (label, name) in CIFAR10.classes.enumerated() {
            try DataFixtures.mkdir("\(root)/test/\(name)")
            let image = try Image(width: 32, height: 32, channels: 3, fill: UInt8(label * 20))
            try image.writePNG(to: "\(root)/test/\(name)/0001.png")
            try DataFixtures.write(try image.jpegData(quality: 95), "\(root)/test/\(name)/0002.jpg")
        }
        let test = try CIFAR10.load(root: root, split: .test, transform: .cifar10Test)
        #expect(test.count == 20 && test.labelHistogram == [Int](repeating: 2, count: 10))
        #expect(test.imageBytes(4).allSatisfy { $0 == 40 })
        #expect(throws: DataError.self) { try CIFAR10.load(root: root, split: .train) }
        try DataFixtures.mkdir("\(root)/test/unicorn")
        try Image(width: 32, height: 32, channels: 3).writePNG(to: "\(root)/test/unicorn/1.png")
        #expect(throws: DataError.self) { try CIFAR10.load(root: root, split: .test) }
    }
}
