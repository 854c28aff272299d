import DLExport
import DLImage
import Foundation

/// A three-class "colour" classifier built by hand: global average pool, then
/// a dense layer whose logits are 10 x the mean of each normalised channel, so
/// a pure red image is "red" and so on, with probabilities the tests can work
/// out exactly. Input 3x8x8, centre-crop from a shorter side of 8, pixel range
/// [0, 1], mean 0.5, std 0.5 (so channel values lie in [-1, 1]).
enum ColourModel {
    static let labels = ["red", "green", "blue"]

    static func bytes(metadata: Bool = true, batch: Int = 1) throws -> [UInt8] {
        var b = GraphBuilder()
        let x = try b.input(name: "image", shape: [batch, 3, 8, 8])
        let pooled = try b.flatten(try b.globalAvgPool(x))
        let w = try b.constant(name: "w", shape: [3, 3], values: [10, 0, 0, 0, 10, 0, 0, 0, 10])
        try b.output(try b.dense(pooled, weight: w))
        if metadata {
            b.setMetadata(.string("colours"), for: .modelName)
            b.setMetadata(.stringArray(labels), for: .labels)
            b.setMetadata(.string("NCHW"), for: .inputLayout)
            b.setMetadata(.string("RGB"), for: .inputChannelOrder)
            b.setMetadata(.f64Array([0, 1]), for: .inputPixelRange)
            b.setMetadata(.f64Array([0.5, 0.5, 0.5]), for: .inputMean)
            b.setMetadata(.f64Array([0.5, 0.5, 0.5]), for: .inputStd)
            b.setMetadata(.string("center-crop"), for: .inputResize)
            b.setMetadata(.i64(8), for: .inputResizeShorter)
            b.setMetadata(.string("logits"), for: .outputKind)
        }
        return try b.serialize()
    }

    /// A solid-colour RGB image.
    static func solid(_ r: UInt8, _ g: UInt8, _ b: UInt8, width: Int = 20, height: Int = 12) throws -> Image {
        try Image(width: width, height: height, channels: 3,
                  pixels: [UInt8]((0..<width * height).flatMap { _ in [r, g, b] }))
    }

    /// softmax(10 * (2 * rgb / 255 - 1)): what the model must answer for a solid colour.
    static func expectedProbabilities(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> [Double] {
        let logits = [r, g, b].map { 10 * (2 * Double($0) / 255 - 1) }
        let top = logits.max()!
        let exps = logits.map { exp($0 - top) }
        let sum = exps.reduce(0, +)
        return exps.map { $0 / sum }
    }
}

/// A fresh directory under the temp directory, removed by `remove()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "classify-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func file(_ name: String) -> String { path + "/" + name }

    func write(_ bytes: [UInt8], to name: String) throws {
        let url = URL(fileURLWithPath: file(name))
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(bytes).write(to: url)
    }

    func remove() { try? FileManager.default.removeItem(atPath: path) }
}
