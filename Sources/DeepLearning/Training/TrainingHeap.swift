#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process heap tuned for training: the memory a step frees stays with
/// the process for the next step.
///
/// A training step allocates and frees the same large activation and gradient
/// buffers every time (8 MB each in ResNet-20's first stage at batch 128).
/// With glibc's defaults, a large block is mmapped or trimmed back to the
/// kernel when freed, so the next step faults in fresh zeroed pages: a tenth
/// of a ResNet-20 step on one thread (docs/BENCHMARKS.md). Fixing the mmap
/// threshold at its 32 MB maximum and never trimming keeps those pages; the
/// resident size stays at the step's peak, which the next step needs again.
/// The settings are the process's: an app that trains and then goes on to
/// other work keeps that peak too.
///
/// The trainers call it; a hand-written training loop can too.
public enum TrainingHeap {
    /// Tunes the heap once per process (later calls do nothing). Returns
    /// whether it applies: false where the C library has no mallopt.
    @discardableResult
    public static func retainFreedMemory() -> Bool { applied }

    private static let applied: Bool = {
        // glibc's mallopt(3) and its parameter numbers from malloc.h, which
        // Swift's Glibc module does not import; absent (nil) off glibc.
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        let trimThreshold: Int32 = -1, mmapThreshold: Int32 = -3
        guard let symbol = dlsym(nil, "mallopt") else { return false }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        return mallopt(mmapThreshold, 32 << 20) == 1 && mallopt(trimThreshold, Int32.max) == 1
    }()
}
