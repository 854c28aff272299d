import Testing
@testable import DeepLearning

@Suite struct ClipGradTests {
    static func parameters(_ grads: [[Float]]) -> [Parameter<Float>] {
        grads.map { g in
            let p = Parameter(Tensor<Float>.zeros([g.count]))
            p.grad = Tensor(g)
            return p
        }
    }

    @Test func returnsTheNormBeforeClippingAndScalesToMaxNorm() {
        let ps = Self.parameters([[3, 0], [0, 4]]) // norm 5
        let norm = clipGradNorm(ps, maxNorm: 1)
        #expect(norm == 5)
        let after = ps.flatMap { $0.grad!.scalars }
        let scale: Float = 1 / (5 + 1e-6)
        #expect(after == [3 * scale, 0, 0, 4 * scale])
        // Below the limit: untouched, still returns the norm.
        let small = Self.parameters([[0.3, 0.4]])
        #expect(abs(clipGradNorm(small, maxNorm: 1) - 0.5) < 1e-7)
        #expect(small[0].grad!.scalars == [0.3, 0.4])
        // Parameters without a gradient are ignored.
        let none = Parameter(Tensor<Float>.zeros([2]))
        #expect(clipGradNorm(Self.parameters([[3, 4]]) + [none], maxNorm: 10) == 5)
        #expect(none.grad == nil)
    }

    @Test func maxNormType() {
        let ps = Self.parameters([[1, -6], [2]])
        #expect(clipGradNorm(ps, maxNorm: 3, normType: .infinity) == 6)
        #expect(abs(ps[0].grad!.scalars[1] + 3) < 1e-5)
    }

    @Test func nonFiniteNormIsReturnedAndNothingIsScaled() {
        let ps = Self.parameters([[1, .infinity], [2]])
        #expect(clipGradNorm(ps, maxNorm: 1) == .infinity)
        #expect(ps[0].grad!.scalars == [1, .infinity] && ps[1].grad!.scalars == [2])
        let nan = Self.parameters([[1, .nan]])
        #expect(clipGradNorm(nan, maxNorm: 1).isNaN)
        #expect(nan[0].grad!.scalars[0] == 1)
    }

    @Test func clipValue() {
        let ps = Self.parameters([[-3, 0.5, 2]])
        clipGradValue(ps, clipValue: 1)
        #expect(ps[0].grad!.scalars == [-1, 0.5, 1])
    }
}
