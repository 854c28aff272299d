import Testing
@testable import DeepLearning

/// The many-to-one example (examples/sequence-sorted): a GRU learns to tell
/// sorted sequences from ones with an adjacent pair swapped, far above the
/// 50% of guessing, which it can only do by reading every step.
@Suite struct SortednessTaskTests {
    @Test func examplesAreHalfSortedAndTheRestOneSwapAway() {
        var g = SplitMix64(seed: 2)
        let task = SortednessTask(length: 7)
        let examples = (0..<400).map { _ in task.example(using: &g) }
        let sorted = examples.filter { $0.label == 1 }
        #expect(abs(sorted.count - 200) < 40)
        for (values, label) in examples {
            let descents = zip(values, values.dropFirst()).filter { $0 > $1 }.count
            #expect(descents == (label == 1 ? 0 : 1))
        }
    }

    @Test func gruLearnsWhetherASequenceIsSorted() {
        var g = SplitMix64(seed: 1)
        let accuracy = SortednessTask(length: 6).train(steps: 800, using: &g)
        #expect(accuracy > 0.8, "held-out accuracy \(accuracy)")
    }
}
