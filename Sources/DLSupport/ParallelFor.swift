#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch

/// A blocking parallel loop over 0..<count on Dispatch's pool.
public enum ParallelFor {
    public static var processorCount: Int {
        #if canImport(Glibc) || canImport(Musl) || canImport(Darwin)
        return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        #else
        return 1
        #endif
    }

    /// Calls `body(i)` for every i in 0..<count, split into `workers` contiguous chunks.
    public static func run(count: Int, workers: Int, _ body: (Int) -> Void) {
        let workers = max(1, min(workers, count))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                let start = count * w / workers, end = count * (w + 1) / workers
                for i in start..<end { box.value(i) }
            }
        }
    }

    /// Like `run`, but with dynamic scheduling in chunks of `chunk` (uneven work, e.g. decoding files).
    public static func dynamic(count: Int, workers: Int, chunk: Int = 64, _ body: (Int) -> Void) {
        let workers = max(1, min(workers, (count + chunk - 1) / chunk))
        if workers == 1 {
            for i in 0..<count { body(i) }
            return
        }
        let counter = AtomicCounter()
        withoutActuallyEscaping(body) { body in
            let box = UncheckedBox(body)
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while true {
                    let start = counter.add(chunk)
                    if start >= count { break }
                    for i in start..<min(count, start + chunk) { box.value(i) }
                }
            }
        }
    }
}

/// Passes a non-Sendable closure to concurrentPerform; callers guarantee disjoint writes.
struct UncheckedBox<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

/// A fetch-and-add counter (a mutex; contention is one lock per chunk).
final class AtomicCounter: @unchecked Sendable {
    private var value = 0
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }
    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }
    func add(_ n: Int) -> Int {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        let old = value
        value += n
        return old
    }
}
