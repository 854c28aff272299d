import DLClassify
import Foundation
import Testing

/// Which model `classify` takes without `--model`: the bundled int8 export when
/// present (unless --fp32), else the fp32 model; found from the executable upwards.
@Suite struct BundledModelTests {
    /// `root/.build/release/classify` as the executable, with `root/models/` holding `names`.
    static func layout(_ names: [String], in dir: TemporaryDirectory) throws -> String {
        try FileManager.default.createDirectory(atPath: dir.file("models"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir.file(".build/release"), withIntermediateDirectories: true)
        for name in names { try dir.write([0], to: "models/" + name) }
        return dir.file(".build/release/classify")
    }

    @Test func prefersTheInt8ModelUnlessAskedForFP32() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let exe = try Self.layout([BundledModel.defaultName, BundledModel.int8Name], in: dir)
        #expect(try BundledModel.locateDefault(executable: exe) == dir.file("models/" + BundledModel.int8Name))
        #expect(try BundledModel.locateDefault(fp32: true, executable: exe) == dir.file("models/" + BundledModel.defaultName))
    }

    @Test func fallsBackToFP32WhenNoInt8IsBundled() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let exe = try Self.layout([BundledModel.defaultName], in: dir)
        #expect(try BundledModel.locateDefault(executable: exe) == dir.file("models/" + BundledModel.defaultName))
    }
}
