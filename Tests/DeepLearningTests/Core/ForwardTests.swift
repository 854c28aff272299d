import Testing
@testable import DeepLearning

/// Forward values against hand-computed expectations.
@Suite struct ForwardTests {
    static func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-12) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { Swift.abs($0 - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
    }

    @Test func broadcastingArithmetic() {
        let a = T64(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        let column = T64(shape: [2, 1], scalars: [10, 20])
        let row = T64([100, 200, 300])
        #expect((a + column).scalars == [11, 12, 13, 24, 25, 26])
        #expect((a + row).scalars == [101, 202, 303, 104, 205, 306])
        #expect((column + row).shape == [2, 3])
        #expect((column + row).scalars == [110, 210, 310, 120, 220, 320])
        #expect((a - 1).scalars == [0, 1, 2, 3, 4, 5])
        #expect((1 - a).scalars == [0, -1, -2, -3, -4, -5])
        #expect((a * row).scalars == [100, 400, 900, 400, 1000, 1800])
        #expect((a / column).scalars == [0.1, 0.2, 0.3, 0.2, 0.25, 0.3])
        #expect((12 / a).scalars == [12, 6, 4, 3, 2.4, 2])
        #expect((-a).scalars == [-1, -2, -3, -4, -5, -6])
        #expect((a + T64(5)).shape == [2, 3])
        let b3 = T64(shape: [2, 1, 2], scalars: [1, 2, 3, 4])
        let c3 = T64(shape: [3, 1], scalars: [10, 20, 30])
        #expect((b3 + c3).shape == [2, 3, 2])
        #expect((b3 + c3).scalars == [11, 12, 21, 22, 31, 32, 13, 14, 23, 24, 33, 34])
    }

    @Test func elementwise() {
        let x = T64([-2, -0.5, 0, 1.5])
        #expect(x.relu().scalars == [0, 0, 0, 1.5])
        #expect(x.leakyRelu(slope: 0.1).scalars == [-0.2, -0.05, 0, 1.5])
        #expect(x.abs().scalars == [2, 0.5, 0, 1.5])
        #expect(x.clamped(min: -1, max: 1).scalars == [-1, -0.5, 0, 1])
        #expect(x.pow(2).scalars == [4, 0.25, 0, 2.25])
        #expect(Self.close(x.sigmoid().scalars, [0.11920292202211755, 0.3775406687981454, 0.5, 0.8175744761936437]))
        #expect(Self.close(x.tanh().scalars, [-0.9640275800758169, -0.46211715726000974, 0, 0.9051482536448664]))
        #expect(Self.close(T64([0, 1]).exp().scalars, [1, 2.718281828459045]))
        #expect(Self.close(T64([1, 4]).log().scalars, [0, 1.3862943611198906]))
        #expect(T64([4, 9]).sqrt().scalars == [2, 3])
    }

    @Test func reductions() {
        let a = T64(shape: [2, 3], scalars: [1, 5, 3, 4, 2, 6])
        #expect(a.sum().item() == 21)
        #expect(a.sum().shape == [])
        #expect(a.sum(alongAxis: 0).scalars == [5, 7, 9])
        #expect(a.sum(alongAxis: 1, keepDims: true).shape == [2, 1])
        #expect(a.sum(alongAxis: 1, keepDims: true).scalars == [9, 12])
        #expect(a.mean().item() == 3.5)
        #expect(a.mean(alongAxis: 0).scalars == [2.5, 3.5, 4.5])
        let (values, indices) = a.max(alongAxis: 1)
        #expect(values.scalars == [5, 6])
        #expect(indices == [1, 2])
        let (v0, i0) = a.max(alongAxis: 0, keepDims: true)
        #expect(v0.shape == [1, 3])
        #expect(v0.scalars == [4, 5, 6])
        #expect(i0 == [1, 0, 1])
        #expect(a.argmax(alongAxis: -1) == [1, 2])
        let big = T64(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        #expect(big.sum(alongAxes: [0, 2]).scalars == [60, 92, 124])
        #expect(big.sum(alongAxes: [0, 1]).scalars == [60, 66, 72, 78])
    }

    @Test func matmulAndShapes() {
        let a = T64(shape: [2, 2], scalars: [1, 2, 3, 4])
        let b = T64(shape: [2, 2], scalars: [5, 6, 7, 8])
        #expect(a.matmul(b).scalars == [19, 22, 43, 50])
        let batch = T64.stack([a, b]).matmul(T64.stack([b, a]))
        #expect(batch.shape == [2, 2, 2])
        #expect(batch.scalars == [19, 22, 43, 50, 23, 34, 31, 46])
        let m = T64(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
        #expect(m.transposed().shape == [3, 2])
        #expect(m.transposed().scalars == [1, 4, 2, 5, 3, 6])
        let t = T64(shape: [2, 3, 4], scalars: (0..<24).map(Double.init))
        #expect(t.permuted([2, 0, 1]).shape == [4, 2, 3])
        #expect(t.permuted([2, 0, 1])[1, 1, 2] == t[1, 2, 1])
        #expect(t.reshaped([4, -1]).shape == [4, 6])
        #expect(t.flattened(startAxis: 1).shape == [2, 12])
        #expect(t.slice(1..<2, 0..<3, 2..<4).scalars == [14, 15, 18, 19, 22, 23])
        #expect(m.slice(axis: 1, 1..<2).scalars == [2, 5])
        #expect(T64.concatenate([m, m * 10], axis: 1).scalars == [1, 2, 3, 10, 20, 30, 4, 5, 6, 40, 50, 60])
        #expect(T64.concatenate([m, m * 10], axis: 0).shape == [4, 3])
        #expect(T64.stack([T64([1, 2]), T64([3, 4])], axis: 1).scalars == [1, 3, 2, 4])
        #expect(m.expandingDims(at: 0).shape == [1, 2, 3])
        #expect(m.expandingDims(at: -1).squeezed().shape == [2, 3])
    }

    @Test func softmax() {
        let x = T64(shape: [1, 3], scalars: [1, 2, 3])
        let expected = [0.09003057317038046, 0.24472847105479767, 0.6652409557748219]
        #expect(Self.close(x.softmax().scalars, expected))
        #expect(Self.close(x.logSoftmax().scalars, expected.map { Double.log($0) }))
        // Stable for large logits.
        let huge = T64([1000, 1001, 1002])
        #expect(Self.close(huge.softmax().scalars, expected))
        #expect(huge.logSoftmax().scalars.allSatisfy { $0.isFinite })
        // Along a middle axis.
        let columns = T64(shape: [3, 2], scalars: [1, 0, 2, 0, 3, 0])
        #expect(Self.close(columns.softmax(alongAxis: 0).scalars, [expected[0], 1.0 / 3, expected[1], 1.0 / 3, expected[2], 1.0 / 3]))
        // Float (dk_softmax_forward) agrees.
        let f = Tensor<Float>(shape: [1, 3], scalars: [1, 2, 3]).softmax()
        #expect(Self.close(f.scalars.map(Double.init), expected, 1e-6))
    }

    @Test func losses() {
        let logits = T64(shape: [1, 3], scalars: [1, 2, 3])
        // -log softmax(x)[2] = log(e + e² + e³) - 3
        #expect(Self.close([crossEntropy(logits: logits, labels: [2]).item()], [0.40760596444437994]))
        // (1 - ε) · 0.4076 + ε · mean(2.4076, 1.4076, 0.4076)
        #expect(Self.close([crossEntropy(logits: logits, labels: [2], labelSmoothing: 0.1).item()], [0.50760596444437994]))
        let two = T64(shape: [2, 3], scalars: [1, 2, 3, 1, 2, 3])
        #expect(Self.close([crossEntropy(logits: two, labels: [2, 0]).item()], [(0.40760596444437994 + 2.40760596444437994) / 2]))
        #expect(Self.close([nll(logProbabilities: two.logSoftmax(), labels: [2, 0]).item()], [(0.40760596444437994 + 2.40760596444437994) / 2]))
        #expect(mse(T64([1, 2]), T64([3, 5])).item() == 6.5)
        let bce = binaryCrossEntropyWithLogits(T64([0, 2, 100, -100]), T64([1, 0, 1, 1]))
        #expect(Self.close([bce.item()], [(Double.log(2) + 2.1269280110429727 + 0 + 100) / 4]))
        let extreme = binaryCrossEntropyWithLogits(Tensor<Float>([1e4, -1e4]), Tensor<Float>([0, 1]))
        #expect(extreme.item() == 1e4)
    }
}
