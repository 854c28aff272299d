import CRuntime.Kernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The process-wide `dk_pool` that Float kernels run on.
///
/// A `dk_pool` serves one caller at a time, so a kernel borrows it with
/// `withPool`: whoever gets it first runs threaded, and a kernel called
/// meanwhile from another thread runs serially (a NULL pool) instead of
/// waiting. The pool is created on first use with `threadCount` threads.
public enum ComputePool {
    private final class Shared: @unchecked Sendable {
        var mutex = pthread_mutex_t()
        var pool: OpaquePointer?
        var threads: Int

        init() {
            pthread_mutex_init(&mutex, nil)
            threads = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        }
    }

    private static let shared = Shared()

    /// Threads for Float kernels (default: the online CPUs). Setting it
    /// rebuilds the pool on next use; 1 runs everything on the caller's thread.
    public static var threadCount: Int {
        get {
            pthread_mutex_lock(&shared.mutex)
            defer { pthread_mutex_unlock(&shared.mutex) }
            return shared.threads
        }
        set {
            precondition(newValue >= 1, "threadCount must be at least 1")
            pthread_mutex_lock(&shared.mutex)
            defer { pthread_mutex_unlock(&shared.mutex) }
            if newValue != shared.threads, let pool = shared.pool {
                dk_pool_free(pool)
                shared.pool = nil
            }
            shared.threads = newValue
        }
    }

    /// A pool that one caller owns, so that what it computes depends only on its own thread
    /// count: neither on `threadCount`, which anyone in the process may change, nor on who
    /// else holds the shared pool at the time (which would make a kernel run serially).
    /// A trainer runs on one, which is what makes a resumed run bit-exact.
    public final class Private: @unchecked Sendable {
        public let threads: Int
        private var mutex = pthread_mutex_t()
        private let pool: OpaquePointer?

        public init(threads: Int) {
            precondition(threads >= 1, "a pool needs at least 1 thread")
            self.threads = threads
            pthread_mutex_init(&mutex, nil)
            pool = threads > 1 ? dk_pool_create(Int32(threads)) : nil
        }

        deinit {
            if let pool { dk_pool_free(pool) }
            pthread_mutex_destroy(&mutex)
        }

        /// Runs `body` with every Float kernel it calls (on this task or thread) on this pool.
        public func run<R>(_ body: () throws -> R) rethrows -> R {
            try ComputePool.$current.withValue(self, operation: body)
        }

        fileprivate func borrow<R>(_ body: (OpaquePointer?) -> R) -> R {
            guard pthread_mutex_trylock(&mutex) == 0 else { return body(nil) }
            defer { pthread_mutex_unlock(&mutex) }
            return body(pool)
        }
    }

    @TaskLocal private static var current: Private?

    /// Runs `body` with the caller's private pool, or the shared pool if it is free,
    /// else with nil (serial).
    static func withPool<R>(_ body: (OpaquePointer?) -> R) -> R {
        if let owned = current { return owned.borrow(body) }
        guard pthread_mutex_trylock(&shared.mutex) == 0 else { return body(nil) }
        defer { pthread_mutex_unlock(&shared.mutex) }
        if shared.pool == nil && shared.threads > 1 {
            shared.pool = dk_pool_create(Int32(shared.threads))
        }
        return body(shared.pool)
    }
}
