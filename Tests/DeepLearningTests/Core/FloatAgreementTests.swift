import Testing
@testable import DeepLearning

/// Float kernels (dk_sgemm, dk_softmax_forward, dk_activation_forward, the
/// branch-free exp) against the Double reference, within Float tolerance.
@Suite struct FloatAgreementTests {
    static func maxRelativeDifference(_ f: Tensor<Float>, _ d: T64) -> Double {
        let scale = Swift.max(d.scalars.map { Swift.abs($0) }.max() ?? 0, 1e-30)
        return zip(f.scalars, d.scalars).map { Swift.abs(Double($0) - $1) }.max()! / scale
    }

    @Test(arguments: [(1, 1, 1), (7, 5, 3), (37, 53, 71), (128, 96, 200), (3, 300, 17)])
    func matmul(m: Int, k: Int, n: Int) {
        var g = SplitMix64(seed: UInt64(m * 1000 + k * 10 + n))
        let a = T64.randomNormal([m, k], using: &g), b = T64.randomNormal([k, n], using: &g)
        var af: Tensor<Float> = a.converted(), bf: Tensor<Float> = b.converted()
        let y = a.matmul(b)
        let yf = af.matmul(bf)
        #expect(Self.maxRelativeDifference(yf, y) < 1e-5)

        // The backward products (dk_sgemm with transpose flags).
        var ad = a, bd = b
        ad.requiresGrad = true; bd.requiresGrad = true
        af.requiresGrad = true; bf.requiresGrad = true
        let seed = T64.randomNormal([m, n], using: &g)
        ad.matmul(bd).backward(seed)
        af.matmul(bf).backward(seed.converted())
        #expect(Self.maxRelativeDifference(af.grad!, ad.grad!) < 1e-5)
        #expect(Self.maxRelativeDifference(bf.grad!, bd.grad!) < 1e-5)
    }

    @Test func batchedMatmul() {
        var g = SplitMix64(seed: 5)
        let a = T64.randomNormal([4, 17, 9], using: &g), b = T64.randomNormal([4, 9, 23], using: &g), w = T64.randomNormal([9, 6], using: &g)
        #expect(Self.maxRelativeDifference(a.converted().matmul(b.converted()), a.matmul(b)) < 1e-5)
        #expect(Self.maxRelativeDifference(a.converted().matmul(w.converted()), a.matmul(w)) < 1e-5)
    }

    @Test func elementwiseKernels() {
        var g = SplitMix64(seed: 6)
        let x = T64.randomUniform([1000], low: -30, high: 30, using: &g)
        let xf: Tensor<Float> = x.converted()
        #expect(Self.maxRelativeDifference(xf.sigmoid(), x.sigmoid()) < 1e-6)
        #expect(Self.maxRelativeDifference(xf.tanh(), x.tanh()) < 1e-6)
        // exp: a few ulp (5e-7 relative) from the exact exp of the same Float input, over the normal range.
        let inputs = T64.randomUniform([4000], low: -87, high: 88, using: &g).converted(to: Float.self)
        let e = inputs.converted(to: Double.self).exp(), ef = inputs.exp()
        let worst = zip(ef.scalars, e.scalars).map { Swift.abs(Double($0) - $1) / $1 }.max()!
        #expect(worst < 5e-7)
        #expect(Tensor<Float>([100, -200, .infinity, -.infinity]).exp().scalars == [.infinity, 0, .infinity, 0])
        #expect(Tensor<Float>([.nan]).exp().scalars[0].isNaN)
        let logits = T64.randomNormal([8, 10], standardDeviation: 5, using: &g)
        #expect(Self.maxRelativeDifference(logits.converted().softmax(), logits.softmax()) < 1e-6)
        #expect(Self.maxRelativeDifference(logits.converted().softmax(alongAxis: 0), logits.softmax(alongAxis: 0)) < 1e-6)
        #expect(Self.maxRelativeDifference(logits.converted().logSoftmax(), logits.logSoftmax()) < 1e-6)
        let big = T64.randomNormal([3, 1000], using: &g)
        #expect(Self.maxRelativeDifference(big.converted().sum(alongAxis: 1), big.sum(alongAxis: 1)) < 1e-5)
    }

    @Test func threadCountDoesNotChangeResults() {
        var g = SplitMix64(seed: 8)
        let a: Tensor<Float> = T64.randomNormal([64, 300], using: &g).converted()
        let b: Tensor<Float> = T64.randomNormal([300, 80], using: &g).converted()
        let serial = ComputePool.Private(threads: 1).run { a.matmul(b) }
        let threaded = ComputePool.Private(threads: 4).run { a.matmul(b) }
        #expect(serial == threaded)
    }
}
