import Foundation
import Testing
@testable import DeepLearning

enum CheckpointFixtures {
    /// A checkpoint exercising every part: ±inf/NaN (with a payload) and -0 in tensors and
    /// schedule, a scalar and an empty tensor, every architecture value type, optional test metrics.
    static func sample() -> Checkpoint {
        var model = StateDict<Float>()
        model["fc1.weight"] = Tensor(shape: [3, 2], scalars: [1, -2, 0.5, .infinity, -0.0, Float(bitPattern: 0x7FC0_1234)])
        model["fc1.bias"] = Tensor(shape: [3], scalars: [0.25, -0.125, .leastNonzeroMagnitude])
        model["bn.num_batches_tracked"] = Tensor(shape: [], scalars: [7])
        model["empty"] = Tensor(shape: [0, 4], scalars: [])
        var optimizer = OptimizerState<Float>()
        optimizer.parameterShapes = [[3, 2], [3]]
        optimizer.tensors["0.exp_avg"] = Tensor(shape: [3, 2], scalars: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
        optimizer.tensors["1.exp_avg"] = Tensor(shape: [3], scalars: [1, 2, 3])
        optimizer.values = ["0.step": 12, "1.step": 12, "groups.0.lr": 0.01, "groups.0.count": 2,
                            "groups.0.weight_decay": 5e-4, "groups.0.momentum": 0.9]
        let schedule: [String: Double] = ["best": .infinity, "worst": -.infinity, "metric": .nan,
                                          "odd": Double(bitPattern: 0x7FF0_0000_0000_0001), "last_epoch": 3, "zero": -0.0]
        let architecture: ArchitectureDescription = [
            "model": "resnet20", "classes": 10, "width": 16, "dropout": 0.25, "bn": true,
            "widths": .ints([16, 32, 64]), "mean": .doubles([0.4914, 0.4822, -.infinity]),
            "labels": .strings(["airplane", "automobile", ""]),
        ]
        return Checkpoint(
            architecture: architecture, model: model, optimizer: optimizer, schedule: schedule,
            rngStates: ["loader.seed": 42, "model.2.generator": 0xDEAD_BEEF_0123_4567, "max": .max],
            epoch: 2, step: 250,
            metrics: [
                EpochMetrics(epoch: 0, trainLoss: 1.5, trainAccuracy: 0.4, learningRate: 0.1, seconds: 12.5),
                EpochMetrics(epoch: 1, trainLoss: 0.9, trainAccuracy: 0.7, testLoss: .nan, testAccuracy: 0.68,
                             learningRate: 0.05, seconds: 11.25),
            ],
            recipe: "dltrain --model resnet20 --epochs 2 — crop+flip ✓\nsecond line")
    }

    /// A checkpoint with only what is required, every part empty.
    static func minimal() -> Checkpoint {
        Checkpoint(architecture: ArchitectureDescription(name: ""), model: StateDict())
    }

    static func makeTempDirectory() throws -> String {
        let path = NSTemporaryDirectory() + "/dlckpt-test-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static func remove(_ path: String) {
        _ = try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
        try? FileManager.default.removeItem(atPath: path)
    }

    static func contents(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: path).map { [UInt8]($0) }
    }

    static func list(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()
    }

    /// The decode error of `bytes`, or nil when they decode. Any error that is not a CheckpointError fails the test.
    static func decodeError(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) -> CheckpointError? {
        do {
            _ = try Checkpoint(decoding: bytes)
            return nil
        } catch let error as CheckpointError {
            return error
        } catch {
            Issue.record("not a CheckpointError: \(error)", sourceLocation: sourceLocation)
            return nil
        }
    }

    static func le32(_ v: UInt32) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func le64(_ v: UInt64) -> [UInt8] { withUnsafeBytes(of: v.littleEndian) { Array($0) } }
    static func string(_ s: String) -> [UInt8] { le32(UInt32(s.utf8.count)) + Array(s.utf8) }

    /// `sample()`'s sections with `kind`'s payload replaced (valid CRCs throughout).
    static func withPayload(_ kind: CheckpointFormat.Kind, _ payload: [UInt8], base: Checkpoint = sample()) throws -> [UInt8] {
        var sections = try CheckpointFormat.sections(base)
        let i = try #require(sections.firstIndex { $0.kind == kind.rawValue })
        sections[i].payload = payload
        return CheckpointFormat.assemble(sections)
    }
}
