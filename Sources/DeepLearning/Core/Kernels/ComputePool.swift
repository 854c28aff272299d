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

    /// Runs `body` with the pool if it is free, else with nil (serial).
    static func withPool<R>(_ body: (OpaquePointer?) -> R) -> R {
        guard pthread_mutex_trylock(&shared.mutex) == 0 else { return body(nil) }
        defer { pthread_mutex_unlock(&shared.mutex) }
        if shared.pool == nil && shared.threads > 1 {
            shared.pool = dk_pool_create(Int32(shared.threads))
        }
        return body(shared.pool)
    }
}
