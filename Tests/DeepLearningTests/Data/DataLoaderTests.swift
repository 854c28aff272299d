import Testing
@testable import DeepLearning

/// Batching, shuffling, determinism, prefetch and augmentation.
@Suite struct DataLoaderTests {
    /// n images of 1x2x3 whose pixels encode the index; label = index % 3.
    static func tiny(_ n: Int, transform: ImageTransform = .unitRange) throws -> ImageDataset {
        try ImageDataset(channels: 1, height: 2, width: 3, pixels: (0..<(n * 6)).map { UInt8($0 % 256) },
                         labels: (0..<n).map { $0 % 3 }, classes: ["a", "b", "c"], transform: transform)
    }

    @Test func batchesInOrder() throws {
        let loader = try DataLoader(try Self.tiny(10), batchSize: 4)
        let batches = Array(loader)
        #expect(loader.batchCount == 3 && batches.map(\.count) == [4, 4, 2])
        #expect(batches[0].shape == [4, 1, 2, 3] && batches[2].shape == [2, 1, 2, 3])
        #expect(batches.flatMap(\.indices) == Array(0..<10))
        #expect(batches[1].labels == [1, 2, 0, 1])
        #expect(batches[2].inputs == (48..<60).map { Float($0) / 255 })
        let dropping = try DataLoader(try Self.tiny(10), batchSize: 4, dropLast: true)
        #expect(dropping.batchCount == 2 && Array(dropping).map(\.count) == [4, 4])
        #expect(try DataLoader(try Self.tiny(3), batchSize: 4, dropLast: true).batchCount == 0)
        #expect(throws: DataError.self) { try DataLoader(try Self.tiny(3), batchSize: 0) }
    }

    @Test func shuffleIsDeterministicPerSeedAndEpoch() throws {
        let dataset = try Self.tiny(100)
        let a = try DataLoader(dataset, batchSize: 16, shuffle: true, seed: 7)
        let b = try DataLoader(dataset, batchSize: 16, shuffle: true, seed: 7, prefetch: false, threads: 1)
        for epoch in 0..<3 {
            let batchesA = Array(a.batches(epoch: epoch)), batchesB = Array(b.batches(epoch: epoch))
            #expect(batchesA == batchesB, "epoch \(epoch): prefetch/threads must not change the batches")
            let order = batchesA.flatMap(\.indices)
            #expect(order.sorted() == Array(0..<100), "every example exactly once")
            #expect(order != Array(0..<100))
        }
        #expect(a.order(epoch: 0) != a.order(epoch: 1))
        #expect(a.order(epoch: 0) != (try DataLoader(dataset, batchSize: 16, shuffle: true, seed: 8)).order(epoch: 0))
        // `for batch in loader` iterates `loader.epoch`.
        a.epoch = 2
        #expect(Array(a).flatMap(\.indices) == a.order(epoch: 2))
        // Abandoning an epoch half-way is fine (the prefetched batch is waited for and dropped).
        let iterator = a.batches(epoch: 0)
        _ = iterator.next()
        _ = iterator.next()
    }

    @Test func prefetchOverlapsAndMatches() throws {
        // Large enough to use several assembly threads.
        let dataset = try ImageDataset(channels: 3, height: 32, width: 32, pixels: (0..<(300 * 3072)).map { UInt8($0 % 251) },
                                       labels: (0..<300).map { $0 % 10 }, classes: CIFAR10.classes, transform: .cifar10Train)
        let prefetching = try DataLoader(dataset, batchSize: 64, shuffle: true, seed: 3, threads: 4)
        let serial = try DataLoader(dataset, batchSize: 64, shuffle: true, seed: 3, prefetch: false, threads: 1)
        #expect(Array(prefetching.batches(epoch: 5)) == Array(serial.batches(epoch: 5)))
    }

    @Test func augmentationCropAndFlip() throws {
        // One 1x4x4 image with values 1...16 (so 0 only comes from padding), scale 0...255.
        let image = (1...16).map { UInt8($0) }
        let plain = try ImageDataset(channels: 1, height: 4, width: 4, pixels: image, labels: [0], classes: ["x"],
                                     transform: ImageTransform(range: 0...255))
        #expect(plain[0].input == image.map(Float.init))
        let augmented = try plain.transformed(ImageTransform(randomCropPadding: 2, randomHorizontalFlip: true, range: 0...255))
        var seen = Set<[Float]>()
        var flips = 0
        for epoch in 0..<400 {
            let out = augmented.sample(0, seed: 1, epoch: epoch).input
            seen.insert(out)
            // It must be some shift (dx, dy in -2...2) of the image or of its mirror, zero-filled.
            var matched = false
            for flip in [false, true] {
                for dy in -2...2 {
                    for dx in -2...2 {
                        let expected: [Float] = (0..<16).map { i in
                            let y = i / 4 + dy, x = (flip ? 3 - i % 4 : i % 4) + dx
                            return (y < 0 || y > 3 || x < 0 || x > 3) ? 0 : Float(image[y * 4 + x])
                        }
                        if expected == out { matched = true; if flip && dx == 0 && dy == 0 { flips += 1 } }
                    }
                }
            }
            #expect(matched, "epoch \(epoch): \(out) is not a padded crop / flip of the image")
            #expect(augmented.sample(0, seed: 1, epoch: epoch).input == out, "same (seed, epoch, index): same sample")
        }
        // 25 shifts x 2 flips = 50 outcomes; 400 draws should see nearly all of them.
        #expect(seen.count >= 45, "only \(seen.count) distinct augmentations")
        #expect(flips > 0)
    }

    @Test func cutoutZeroesOneClippedSquare() throws {
        // Two channels of 6x6 with values 1...72 (never 0), scale 0...255: the only zeros are the cutout.
        let image = (1...72).map { UInt8($0) }
        var transform = ImageTransform(range: 0...255)
        transform.cutout = 4
        let dataset = try ImageDataset(channels: 2, height: 6, width: 6, pixels: image, labels: [0], classes: ["x"],
                                       transform: transform)
        var sizes = Set<Int>()
        for epoch in 0..<300 {
            let out = dataset.sample(0, seed: 2, epoch: epoch).input
            let zeros = out.indices.filter { out[$0] == 0 }
            let rows = Set(zeros.map { $0 % 36 / 6 }), columns = Set(zeros.map { $0 % 6 })
            // A rectangle of at most 4x4 (clipped at the border), the same in both channels; every other pixel kept.
            #expect(zeros.count == 2 * rows.count * columns.count && rows.count <= 4 && columns.count <= 4)
            #expect(rows.max()! - rows.min()! == rows.count - 1 && columns.max()! - columns.min()! == columns.count - 1)
            #expect(out.indices.allSatisfy { out[$0] == 0 || out[$0] == Float(image[$0]) })
            sizes.insert(rows.count * columns.count)
        }
        #expect(sizes.contains(16) && sizes.count > 3, "the square must fall inside and across the border: \(sizes.sorted())")
        transform.cutout = -1
        #expect(throws: DataError.self) { try dataset.transformed(transform) }
    }

    @Test func normalisation() throws {
        let dataset = try ImageDataset(channels: 3, height: 1, width: 1, pixels: [255, 0, 51], labels: [0], classes: ["x"],
                                       transform: ImageTransform(mean: [0.5, 0.5, 0.2], std: [0.5, 0.25, 0.1]))
        let input = dataset[0].input
        #expect(zip(input, [Float(1), -2, 0]).allSatisfy { abs($0 - $1) < 1e-5 }, "\(input)")
        #expect(throws: DataError.self) { try dataset.transformed(ImageTransform(mean: [0, 0], std: [1])) }
        #expect(throws: DataError.self) { try dataset.transformed(ImageTransform(std: [0])) }
        #expect(throws: DataError.self) {
            try ImageDataset(channels: 1, height: 1, width: 1, pixels: [0], labels: [3], classes: ["x"])
        }
    }
}
