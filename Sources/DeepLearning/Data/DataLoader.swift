#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import DLSupport

/// A mini-batch: inputs stacked as `[count] + sampleShape`, row-major.
public struct Batch: Sendable, Equatable {
    /// `count * sampleSize` floats: example i's input at `i * sampleSize`.
    public var inputs: [Float]
    public var labels: [Int]
    /// The data-set indices of the examples, in batch order.
    public var indices: [Int]
    /// `[count] + sampleShape`, e.g. `[128, 3, 32, 32]`.
    public var shape: [Int]

    public var count: Int { labels.count }
}

/// Batches from a `Dataset`: a fixed order per (seed, epoch), optional
/// shuffling, optional dropping of the last short batch, and the next batch
/// assembled in the background while the current one is used.
///
/// Determinism: the order is a Fisher-Yates shuffle driven by
/// `SplitMix64(seed, epoch)`, and every example's augmentation draws from a
/// generator keyed by (seed, epoch, index), so an epoch's batches are
/// bit-identical across runs, thread counts and prefetch on or off.
///
///     let loader = try DataLoader(train, batchSize: 128, shuffle: true, seed: 42, dropLast: true)
///     for epoch in 0..<epochs {
///         for batch in loader.batches(epoch: epoch) { ... }
///     }
public final class DataLoader<D: Dataset>: Sequence, @unchecked Sendable {
    public let dataset: D
    public let batchSize: Int
    public let shuffle: Bool
    public let seed: UInt64
    public let dropLast: Bool
    /// Assemble batch k + 1 on a background thread while batch k is in use.
    public let prefetch: Bool
    /// Threads that assemble one batch (examples are split between them).
    public let threads: Int
    /// The epoch that `for batch in loader` iterates (`makeIterator()`).
    public var epoch: Int = 0

    public init(_ dataset: D, batchSize: Int, shuffle: Bool = false, seed: UInt64 = 0, dropLast: Bool = false,
                prefetch: Bool = true, threads: Int = DataLoader.defaultThreads) throws {
        guard batchSize > 0 else { throw DataError.invalidArgument("batch size \(batchSize) must be positive") }
        guard threads > 0 else { throw DataError.invalidArgument("threads \(threads) must be positive") }
        self.dataset = dataset
        self.batchSize = batchSize
        self.shuffle = shuffle
        self.seed = seed
        self.dropLast = dropLast
        self.prefetch = prefetch
        self.threads = threads
    }

    /// The online CPUs, at most 8.
    public static var defaultThreads: Int { Swift.min(8, Swift.max(1, ParallelFor.processorCount)) }

    /// Batches per epoch.
    public var batchCount: Int {
        dropLast ? dataset.count / batchSize : (dataset.count + batchSize - 1) / batchSize
    }

    /// The example order of `epoch`: 0..<count, or its shuffle for (seed, epoch).
    public func order(epoch: Int) -> [Int] {
        var order = Array(0..<dataset.count)
        guard shuffle, order.count > 1 else { return order }
        var random = SplitMix64(seed: sampleSeed(seed: seed, epoch: epoch, index: -1))
        for i in stride(from: order.count - 1, to: 0, by: -1) {
            order.swapAt(i, uniform(i + 1, &random))
        }
        return order
    }

    /// The batches of one epoch.
    public func batches(epoch: Int) -> Iterator { Iterator(loader: self, epoch: epoch) }

    public func makeIterator() -> Iterator { batches(epoch: epoch) }

    /// Assembles the examples at `indices` (augmented for `epoch`) into one batch.
    public func batch(indices: [Int], epoch: Int) -> Batch {
        let size = dataset.sampleSize
        let n = indices.count
        var inputs = [Float](repeating: 0, count: n * size)
        var labels = [Int](repeating: 0, count: n)
        let dataset = self.dataset, seed = self.seed
        inputs.withUnsafeMutableBufferPointer { input in
            labels.withUnsafeMutableBufferPointer { label in
                let inputBase = input.baseAddress!, labelBase = label.baseAddress!
                // Work is split by example; each example writes only its own slots.
                let workers = n * size >= 16_384 ? Swift.min(threads, n) : 1
                ParallelFor.run(count: n, workers: workers) { i in
                    var random = SplitMix64(seed: sampleSeed(seed: seed, epoch: epoch, index: indices[i]))
                    let slot = UnsafeMutableBufferPointer(start: inputBase + i * size, count: size)
                    labelBase[i] = dataset.load(indices[i], into: slot, random: &random)
                }
            }
        }
        return Batch(inputs: inputs, labels: labels, indices: indices, shape: [n] + dataset.sampleShape)
    }

    /// One epoch's batches; with `prefetch`, the next batch is being built while the caller holds this one.
    public final class Iterator: IteratorProtocol, Sequence {
        let loader: DataLoader
        let epoch: Int
        let order: [Int]
        let total: Int
        var nextIndex = 0
        var pending: Pending?
        private let queue = DispatchQueue(label: "dlrt.dataloader.prefetch", qos: .userInitiated)

        init(loader: DataLoader, epoch: Int) {
            self.loader = loader
            self.epoch = epoch
            self.order = loader.order(epoch: epoch)
            self.total = loader.batchCount
        }

        func indices(_ k: Int) -> [Int] {
            Array(order[(k * loader.batchSize)..<Swift.min(order.count, (k + 1) * loader.batchSize)])
        }

        public func next() -> Batch? {
            guard nextIndex < total else { return nil }
            let batch = pending?.wait() ?? loader.batch(indices: indices(nextIndex), epoch: epoch)
            pending = nil
            nextIndex += 1
            if loader.prefetch && nextIndex < total {
                let work = Pending()
                let loader = self.loader, indices = self.indices(nextIndex), epoch = self.epoch
                queue.async {
                    work.fulfil(loader.batch(indices: indices, epoch: epoch))
                }
                pending = work
            }
            return batch
        }

        deinit { _ = pending?.wait() } // never leave a worker writing into a batch nobody owns
    }

    /// A batch being built on the prefetch queue.
    final class Pending: @unchecked Sendable {
        private let ready = DispatchSemaphore(value: 0)
        private var batch: Batch?

        func fulfil(_ batch: Batch) {
            self.batch = batch
            ready.signal()
        }

        func wait() -> Batch {
            ready.wait()
            ready.signal() // stay ready for a second wait (deinit after next())
            return batch!
        }
    }
}
