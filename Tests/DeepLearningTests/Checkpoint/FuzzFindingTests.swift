import Foundation
import Testing
@testable import DeepLearning

/// What the checkpoint fuzzer found (tools/fuzz/README.md), as unit tests:
/// each hostile value is refused with an error instead of trapping.
@Suite struct FuzzFindingTests {
    static let regressions = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("tools/fuzz/regressions/checkpoint")

    /// A section of size 0 followed by fewer than the CRC's 4 bytes was read past the end.
    @Test func sectionWithoutRoomForItsCRCIsTruncated() throws {
        let bytes = try [UInt8](Data(contentsOf: Self.regressions.appendingPathComponent("section-crc-past-end.ckpt")))
        #expect(bytes.count == 49)
        #expect(throws: CheckpointError.self) { try Checkpoint(decoding: bytes) }
        // Every shorter prefix is refused too.
        for n in 0..<bytes.count {
            #expect(throws: CheckpointError.self) { try Checkpoint(decoding: Array(bytes.prefix(n))) }
        }
    }

    @Test func autoencoderCodeBelowOneIsABadConfiguration() {
        var g = SplitMix64(seed: 1)
        for code in [0, -2] {
            #expect(throws: ZooError.self) { try ConvAutoencoder<Float>.make(code: code, using: &g) }
        }
    }

    /// Counts in a schedule's state must be whole numbers an Int holds.
    @Test func scheduleCountsOutOfRangeAreRefused() throws {
        let p = Parameter<Float>(.zeros([1]))
        let step = StepLR(optimizer: SGD([p], learningRate: 0.1), stepSize: 2)
        var state = step.stateDict()
        for bad in [1e300, -1e300, 2.5, Double.nan, Double.infinity] {
            state["last_epoch"] = bad
            #expect(throws: ScheduleStateError.self) { try step.load(stateDict: state) }
        }
        let plateau = ReduceLROnPlateau(optimizer: SGD([p], learningRate: 0.1))
        var plateauState = plateau.stateDict()
        plateauState["num_bad_epochs"] = 1e19
        #expect(throws: ScheduleStateError.notAnInteger("num_bad_epochs", 1e19)) { try plateau.load(stateDict: plateauState) }
    }
}
