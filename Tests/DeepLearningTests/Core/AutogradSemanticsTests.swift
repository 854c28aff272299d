import Testing
@testable import DeepLearning

/// Value semantics and the tape's contracts.
@Suite struct AutogradSemanticsTests {
    @Test func copyOnWrite() {
        let original = T64(shape: [2, 2], scalars: [1, 2, 3, 4])
        var copy = original
        copy[0, 1] = 20
        #expect(original.scalars == [1, 2, 3, 4])
        #expect(copy.scalars == [1, 20, 3, 4])
        // A reshape shares storage until written.
        var reshaped = original.reshaped([4])
        reshaped[3] = 40
        #expect(original.scalars == [1, 2, 3, 4])
        var buffered = original
        buffered.withUnsafeMutableBufferPointer { $0[0] = -1 }
        #expect(original[0, 0] == 1)
        #expect(buffered[0, 0] == -1)
        // Values captured by the graph are not changed by later writes.
        var x = T64([1, 2, 3])
        x.requiresGrad = true
        let y = x * x
        x.withUnsafeMutableBufferPointer { $0[0] = 100 }
        y.sum().backward()
        #expect(x.grad!.scalars == [2, 4, 6])
    }

    @Test func noGradRecordsNothing() {
        var w = T64([1, 2])
        w.requiresGrad = true
        #expect(GradMode.isRecording)
        let y = withNoGrad { () -> T64 in
            #expect(!GradMode.isRecording)
            return (w * w).exp().sum()
        }
        #expect(GradMode.isRecording)
        #expect(!y.requiresGrad)
        #expect(y.isLeaf)
        #expect((w * 2).requiresGrad)
    }

    @Test func noGradIsScopedToItsTask() async {
        var w = T64([1, 2])
        w.requiresGrad = true
        let other = w
        await withNoGrad {
            async let recorded = Task.detached { (other * 2).requiresGrad }.value
            #expect(await recorded)
            #expect(!(w * 2).requiresGrad)
        }
    }

    @Test func detachedStopsGradients() {
        var x = T64([1, 2, 3])
        x.requiresGrad = true
        (x * x.detached()).sum().backward()
        #expect(x.grad!.scalars == [1, 2, 3])
        let d = x.detached()
        #expect(!d.requiresGrad)
        #expect(d.scalars == x.scalars)
    }

    @Test func gradientsAccumulateOverBackwardPasses() {
        var x = T64([1, 2, 3])
        x.requiresGrad = true
        (x * x).sum().backward()
        #expect(x.grad!.scalars == [2, 4, 6])
        (x * 3).sum().backward()
        #expect(x.grad!.scalars == [5, 7, 9])
        x.zeroGrad()
        #expect(x.grad == nil)
        (x * 3).sum().backward()
        #expect(x.grad!.scalars == [3, 3, 3])
        // One graph, two passes, when retained.
        x.zeroGrad()
        let loss = (x * x).sum()
        loss.backward(retainGraph: true)
        loss.backward()
        #expect(x.grad!.scalars == [4, 8, 12])
    }

    @Test func seedAndSharedIdentity() {
        var w = T64(shape: [2, 2], scalars: [1, 2, 3, 4])
        w.requiresGrad = true
        let copy = w // shares the node: both accumulate into one grad
        (w + copy).backward(T64(shape: [2, 2], scalars: [1, 10, 100, 1000]))
        #expect(w.grad!.scalars == [2, 20, 200, 2000])
        #expect(copy.grad == w.grad)
        // Leaves that no path reaches get no gradient.
        var unused = T64([1])
        unused.requiresGrad = true
        (w * 2).sum().backward()
        #expect(unused.grad == nil)
    }

    @Test func graphIsReleasedAfterBackward() {
        var x = T64([1, 2])
        x.requiresGrad = true
        weak var weakNode: GradNode<Double>?
        do {
            let h = x.exp()
            weakNode = h.node
            let loss = (h * 2).sum()
            loss.backward()
            #expect(weakNode != nil)
        }
        #expect(weakNode == nil)
        #expect(x.grad != nil)
    }

    /// The checker itself: it must reject a wrong gradient.
    @Test func gradientCheckCatchesAWrongGradient() {
        let x = GradientCheck.input([5], seed: 3, low: 0.5, high: 2)
        let wrong = GradientCheck.check([x]) { $0[0] * $0[0].detached() } // analytic x, true 2x
        #expect(wrong.maxError > 0.1)
        let right = GradientCheck.check([x]) { $0[0] * $0[0] }
        #expect(right.maxError < GradientCheck.tolerance)
    }
}
