import Testing
@testable import DeepLearning

typealias T64 = Tensor<Double>

/// A finite-difference check of every op's backward (GradientCheck, Float64).
@Suite struct GradientTests {
    static func expectGradients(_ inputs: [T64], sourceLocation: SourceLocation = #_sourceLocation,
                                _ f: ([T64]) -> T64) {
        let result = GradientCheck.check(inputs, f)
        #expect(result.maxError < GradientCheck.tolerance, "\(result)", sourceLocation: sourceLocation)
    }

    static func x(_ shape: [Int], _ seed: UInt64, low: Double = -2, high: Double = 2, avoiding kinks: [Double] = []) -> T64 {
        GradientCheck.input(shape, seed: seed, low: low, high: high, avoiding: kinks)
    }

    // MARK: arithmetic and broadcasting

    @Test(arguments: [
        ([3, 4], [3, 4]), ([3, 1], [1, 4]), ([2, 3, 4], [4]), ([2, 3, 4], [3, 1]), ([], [2, 3]), ([2, 3], [1]), ([4], [2, 1, 4]),
    ])
    func binaryOps(shapes: ([Int], [Int])) {
        let a = Self.x(shapes.0, 1), b = Self.x(shapes.1, 2)
        let positive = Self.x(shapes.1, 3, low: 0.5, high: 2)
        Self.expectGradients([a, b]) { $0[0] + $0[1] }
        Self.expectGradients([a, b]) { $0[0] - $0[1] }
        Self.expectGradients([a, b]) { $0[0] * $0[1] }
        Self.expectGradients([a, positive]) { $0[0] / $0[1] }
        Self.expectGradients([b, a]) { $0[0] / ($0[1] * $0[1] + 1) }
    }

    @Test func scalarOps() {
        let a = Self.x([2, 3], 4)
        let positive = Self.x([2, 3], 5, low: 0.5, high: 2)
        Self.expectGradients([a]) { $0[0] + 2 }
        Self.expectGradients([a]) { 2 + $0[0] }
        Self.expectGradients([a]) { $0[0] - 3 }
        Self.expectGradients([a]) { 3 - $0[0] }
        Self.expectGradients([a]) { $0[0] * 1.5 }
        Self.expectGradients([a]) { -2.5 * $0[0] }
        Self.expectGradients([a]) { $0[0] / 4 }
        Self.expectGradients([positive]) { 3 / $0[0] }
        Self.expectGradients([a]) { -$0[0] }
        Self.expectGradients([a]) { x in var y = x[0]; y += x[0]; y *= x[0]; y -= 1; y /= 2; return y }
    }

    /// A value used by several ops accumulates its gradient within one pass.
    @Test func sharedSubexpressions() {
        let a = Self.x([3, 2], 6), b = Self.x([2], 7)
        Self.expectGradients([a, b]) { x in
            let h = x[0] * x[1]
            return (h + h * x[0]).tanh() * h - x[1]
        }
    }

    // MARK: elementwise math and activations

    @Test func elementwise() {
        let a = Self.x([2, 5], 8, avoiding: [0])
        let positive = Self.x([2, 5], 9, low: 0.2, high: 3)
        Self.expectGradients([a]) { $0[0].exp() }
        Self.expectGradients([positive]) { $0[0].log() }
        Self.expectGradients([positive]) { $0[0].sqrt() }
        Self.expectGradients([a]) { $0[0].pow(3) }
        Self.expectGradients([a]) { $0[0].pow(2) }
        Self.expectGradients([a]) { $0[0].squared() }
        Self.expectGradients([positive]) { $0[0].pow(0.5) }
        Self.expectGradients([positive]) { $0[0].pow(-1.5) }
        Self.expectGradients([a]) { $0[0].abs() }
        Self.expectGradients([Self.x([3, 4], 10, avoiding: [-0.5, 0.7])]) { $0[0].clamped(min: -0.5, max: 0.7) }
        Self.expectGradients([a]) { $0[0].relu() }
        Self.expectGradients([a]) { $0[0].leakyRelu(slope: 0.1) }
        Self.expectGradients([a]) { $0[0].sigmoid() }
        Self.expectGradients([a]) { $0[0].tanh() }
        Self.expectGradients([a]) { sigmoid(tanh(exp($0[0]))) }
    }

    // MARK: reductions

    @Test func reductions() {
        let a = Self.x([2, 3, 4], 11)
        for keep in [false, true] {
            Self.expectGradients([a]) { $0[0].sum(alongAxis: 0, keepDims: keep) }
            Self.expectGradients([a]) { $0[0].sum(alongAxis: -1, keepDims: keep) }
            Self.expectGradients([a]) { $0[0].sum(alongAxes: [0, 2], keepDims: keep) }
            Self.expectGradients([a]) { $0[0].sum(alongAxes: [1, 2], keepDims: keep) }
            Self.expectGradients([a]) { $0[0].mean(alongAxis: 1, keepDims: keep) }
            Self.expectGradients([a]) { $0[0].mean(alongAxes: [0, 1], keepDims: keep) }
            Self.expectGradients([a]) { $0[0].max(alongAxis: 1, keepDims: keep).values }
            Self.expectGradients([a]) { $0[0].max(alongAxis: 2, keepDims: keep).values }
            Self.expectGradients([a]) { $0[0].max(alongAxis: 0, keepDims: keep).values }
        }
        Self.expectGradients([a]) { $0[0].sum() }
        Self.expectGradients([a]) { $0[0].mean() }
    }

    // MARK: matmul

    @Test func matmul() {
        Self.expectGradients([Self.x([3, 4], 12), Self.x([4, 5], 13)]) { $0[0].matmul($0[1]) }
        Self.expectGradients([Self.x([1, 7], 14), Self.x([7, 1], 15)]) { DeepLearning.matmul($0[0], $0[1]) }
        Self.expectGradients([Self.x([2, 3, 4], 16), Self.x([2, 4, 5], 17)]) { $0[0].matmul($0[1]) }
        Self.expectGradients([Self.x([2, 3, 4], 18), Self.x([4, 5], 19)]) { $0[0].matmul($0[1]) }
        // The input gradient of a layer whose weight needs none, and the reverse.
        let w = Self.x([4, 5], 20)
        Self.expectGradients([Self.x([3, 4], 21)]) { $0[0].matmul(w) }
        let x = Self.x([3, 4], 22)
        Self.expectGradients([w]) { x.matmul($0[0]) }
    }

    // MARK: shape ops

    @Test func shaping() {
        let a = Self.x([2, 3, 4], 23)
        Self.expectGradients([a]) { $0[0].reshaped([6, 4]) }
        Self.expectGradients([a]) { $0[0].reshaped([-1, 2]) * $0[0].reshaped([12, 2]) }
        Self.expectGradients([a]) { $0[0].flattened() }
        Self.expectGradients([a]) { $0[0].flattened(startAxis: 1) }
        Self.expectGradients([a]) { $0[0].transposed() }
        Self.expectGradients([a]) { $0[0].transposed(0, 2) }
        Self.expectGradients([a]) { $0[0].permuted([2, 0, 1]) }
        Self.expectGradients([a]) { $0[0].permuted([1, 2, 0]) * 2 }
        Self.expectGradients([a]) { $0[0].expandingDims(at: 1).squeezed(axis: 1) }
        Self.expectGradients([a]) { $0[0].slice(0..<2, 1..<3, 1..<4) }
        Self.expectGradients([a]) { $0[0].slice(1..<2) }
        Self.expectGradients([a]) { $0[0].slice(axis: 2, 1..<3) }
        let b = Self.x([2, 1, 4], 24), c = Self.x([2, 2, 4], 25)
        Self.expectGradients([a, b, c]) { T64.concatenate($0, axis: 1) }
        Self.expectGradients([a, a]) { T64.concatenate($0, axis: -1) }
        Self.expectGradients([b, b * 2]) { T64.stack($0, axis: 0) }
        Self.expectGradients([b, b * 2]) { T64.stack($0, axis: 3) }
    }

    // MARK: softmax

    @Test func softmax() {
        let a = Self.x([3, 5], 26, low: -4, high: 4)
        let b = Self.x([2, 3, 4], 27)
        Self.expectGradients([a]) { $0[0].softmax() }
        Self.expectGradients([a]) { $0[0].softmax(alongAxis: 0) }
        Self.expectGradients([b]) { $0[0].softmax(alongAxis: 1) }
        Self.expectGradients([a]) { $0[0].logSoftmax() }
        Self.expectGradients([a]) { $0[0].logSoftmax(alongAxis: 0) }
        Self.expectGradients([b]) { $0[0].logSoftmax(alongAxis: 1) }
    }

    // MARK: losses

    @Test(arguments: [0.0, 0.1, 0.5])
    func crossEntropyLoss(smoothing: Double) {
        let logits = Self.x([4, 5], 28, low: -3, high: 3)
        Self.expectGradients([logits]) { crossEntropy(logits: $0[0], labels: [0, 4, 2, 2], labelSmoothing: smoothing) }
        // Through a preceding op, so that the incoming gradient is not 1.
        Self.expectGradients([logits]) { crossEntropy(logits: $0[0] * 2, labels: [1, 3, 0, 4], labelSmoothing: smoothing) * 3 }
    }

    @Test func otherLosses() {
        let logits = Self.x([4, 5], 29)
        Self.expectGradients([logits]) { nll(logProbabilities: $0[0].logSoftmax(), labels: [0, 4, 2, 2]) }
        Self.expectGradients([logits]) { nll(logProbabilities: $0[0], labels: [3, 1, 0, 4]) * -1.5 }
        Self.expectGradients([logits, Self.x([4, 5], 30)]) { mse($0[0], $0[1]) }
        let targets = Self.x([3, 4], 31, low: 0, high: 1)
        Self.expectGradients([Self.x([3, 4], 32, low: -5, high: 5), targets]) { binaryCrossEntropyWithLogits($0[0], $0[1]) }
        Self.expectGradients([Self.x([3, 4], 33)]) { binaryCrossEntropyWithLogits($0[0] * 3, targets) * 2 }
    }
}
