import Testing
import CRuntime.Kernels
@testable import DeepLearning

/// A private pool is what makes a trainer's results depend on its own thread
/// count alone: kernels inside `run` get that pool whatever the shared pool's
/// size or state.
@Suite struct ComputePoolTests {
    @Test func kernelsInsideRunGetThePrivatePool() {
        let owned = ComputePool.Private(threads: 3)
        owned.run { ComputePool.withPool { #expect(dk_pool_threads($0) == 3) } }
        // Outside `run`, the shared pool (or serial) again: the binding does not leak.
        let shared = ComputePool.threadCount
        ComputePool.withPool { #expect($0 == nil || dk_pool_threads($0) == shared) }
    }

    @Test func theSharedPoolBeingBusyDoesNotMakeAPrivateRunSerial() {
        let owned = ComputePool.Private(threads: 2)
        ComputePool.withPool { _ in
            owned.run { ComputePool.withPool { #expect(dk_pool_threads($0) == 2) } }
        }
    }

    @Test func oneThreadRunsOnTheCaller() {
        ComputePool.Private(threads: 1).run { ComputePool.withPool { #expect($0 == nil) } }
    }
}
