import Foundation
import Testing
import DeepLearning
@testable import DLSample

/// The quality gate's statistics against closed forms (docs/GAN.md).
@Suite struct GeneratorQualityTests {
    /// n vectors of independent normals with per-dimension means and standard deviations.
    static func normals(_ n: Int, mean: [Double], std: [Double], seed: UInt64) -> [Float] {
        var g = SplitMix64(seed: seed)
        let z = Tensor<Double>.randomNormal([n, mean.count], using: &g).scalars
        return z.enumerated().map { Float($0.element * std[$0.offset % mean.count] + mean[$0.offset % mean.count]) }
    }

    @Test func frechetDistanceOfDiagonalGaussians() {
        // For diagonal covariances d = ‖μ₁ - μ₂‖² + Σ (σ₁ - σ₂)².
        let a = Self.normals(20000, mean: [0, 1, -1], std: [1, 2, 0.5], seed: 1)
        let b = Self.normals(20000, mean: [1, 1, 0], std: [2, 2, 1], seed: 2)
        let expected = 1.0 + 0 + 1 + 1 + 0 + 0.25
        let d = GeneratorQuality.frechetDistance(a, b, dimension: 3)
        #expect(abs(d - expected) < 0.1, "got \(d), expected \(expected)")
        #expect(abs(GeneratorQuality.frechetDistance(a, a, dimension: 3)) < 1e-9)
    }

    /// Rotating both feature sets by the same orthogonal matrix leaves the distance as it was
    /// (the covariances stop being diagonal, so the matrix square root is exercised).
    @Test func frechetDistanceIsRotationInvariant() {
        let a = Self.normals(4000, mean: [0, 1, -1, 2], std: [1, 2, 0.5, 1], seed: 3)
        let b = Self.normals(4000, mean: [1, 1, 0, 2], std: [2, 1, 1, 0.3], seed: 4)
        let (c, s) = (cos(0.7), sin(0.7)), (c2, s2) = (cos(1.9), sin(1.9))
        let r: [[Double]] = [[c, -s, 0, 0], [s, c, 0, 0], [0, 0, c2, -s2], [0, 0, s2, c2]]
        let q: [[Double]] = [[1, 0, 0, 0], [0, c2, 0, -s2], [0, 0, 1, 0], [0, s2, 0, c2]]
        func rotate(_ x: [Float]) -> [Float] {
            var out = [Float]()
            for i in 0..<(x.count / 4) {
                let v = (0..<4).map { Double(x[i * 4 + $0]) }
                let w = (0..<4).map { row in (0..<4).reduce(0.0) { $0 + r[row][$1] * v[$1] } }
                out += (0..<4).map { row in Float((0..<4).reduce(0.0) { $0 + q[row][$1] * w[$1] }) }
            }
            return out
        }
        let plain = GeneratorQuality.frechetDistance(a, b, dimension: 4)
        let rotated = GeneratorQuality.frechetDistance(rotate(a), rotate(b), dimension: 4)
        #expect(abs(plain - rotated) < 1e-3 * plain, "\(plain) vs \(rotated)")
    }

    @Test func entropyAndConfidence() {
        #expect(abs(GeneratorQuality.histogramEntropy(Array(0..<1000).map { $0 % 10 }, classes: 10) - log(10.0)) < 1e-12)
        #expect(GeneratorQuality.histogramEntropy([3, 3, 3], classes: 10) == 0)
        #expect(abs(GeneratorQuality.histogramEntropy([0, 1], classes: 10) - log(2.0)) < 1e-12)
        // Softmax maxima: e^3 / (e^3 + 9) = 0.69, e^5 / (e^5 + 9) = 0.943, 0.1.
        var logits = [Float](repeating: 0, count: 30)
        logits[2] = 3
        logits[10 + 7] = 5
        #expect(GeneratorQuality.confidentFraction(logits: logits, classes: 10) == 1.0 / 3)
        #expect(GeneratorQuality.predictions(logits: logits, classes: 10) == [2, 7, 0])
    }
}
