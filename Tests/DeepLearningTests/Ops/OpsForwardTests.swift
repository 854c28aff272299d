import Testing
@testable import DeepLearning

/// Hand-computed forward values and output shapes (PyTorch's), for Float
/// (C kernels) and Double (Swift reference) alike.
@Suite struct OpsForwardTests {
    static func arange<S: TensorScalar>(_ shape: [Int], _: S.Type = S.self) -> Tensor<S> {
        Tensor(shape: shape, scalars: (0..<Shape.count(shape)).map { S($0) })
    }

    static func close<S: TensorScalar>(_ t: Tensor<S>, _ expected: [Double], shape: [Int], tolerance: Double = 1e-6) -> Bool {
        t.shape == shape && zip(t.scalars, expected).allSatisfy { Swift.abs(Double($0) - $1) <= tolerance * Swift.max(1, Swift.abs($1)) }
    }

    static func conv<S: TensorScalar>(_: S.Type) {
        // 1..9 in 3x3, a 2x2 kernel of ones, bias 0.5.
        let x = Tensor<S>(shape: [1, 1, 3, 3], scalars: (1...9).map { S($0) })
        let w = Tensor<S>(repeating: 1, shape: [1, 1, 2, 2])
        #expect(close(conv2d(x, weight: w, bias: Tensor([0.5])), [12.5, 16.5, 24.5, 28.5], shape: [1, 1, 2, 2]))
        // Zero padding on the top and left only.
        #expect(close(conv2d(x, weight: w, padding: Padding2d(top: 1, left: 1, bottom: 0, right: 0)),
                      [1, 3, 5, 5, 12, 16, 11, 24, 28], shape: [1, 1, 3, 3]))
        // Stride 2, dilation 2 over 5x5: one tap at each corner of a 3x3 span.
        let x5: Tensor<S> = arange([1, 1, 5, 5])
        #expect(close(conv2d(x5, weight: w, stride: 2, dilation: 2), [24, 32, 64, 72], shape: [1, 1, 2, 2]))
        // Depthwise: each channel with its own kernel.
        let x2: Tensor<S> = arange([1, 2, 2, 2])
        let wd = Tensor<S>(shape: [2, 1, 1, 1], scalars: [2, -1])
        #expect(close(conv2d(x2, weight: wd, groups: 2), [0, 2, 4, 6, -4, -5, -6, -7], shape: [1, 2, 2, 2]))
        // Transposed: stride 2 scatters each input through the kernel; output padding adds a row/column.
        let xt = Tensor<S>(shape: [1, 1, 2, 2], scalars: [1, 2, 3, 4])
        let wt = Tensor<S>(shape: [1, 1, 2, 2], scalars: [1, 10, 100, 1000])
        #expect(close(convTranspose2d(xt, weight: wt, stride: 2),
                      [1, 10, 2, 20, 100, 1000, 200, 2000, 3, 30, 4, 40, 300, 3000, 400, 4000], shape: [1, 1, 4, 4]))
        #expect(close(convTranspose2d(xt, weight: wt, stride: 2, padding: 1, outputPadding: 1),
                      [1000, 200, 2000, 30, 4, 40, 3000, 400, 4000], shape: [1, 1, 3, 3]))
        #expect(close(convTranspose2d(xt, weight: wt), [1, 12, 20, 103, 1234, 2040, 300, 3400, 4000], shape: [1, 1, 3, 3]))
    }

    @Test func convolutionValues() {
        Self.conv(Float.self)
        Self.conv(Double.self)
    }

    static func pool<S: TensorScalar>(_: S.Type) {
        let x: Tensor<S> = arange([1, 1, 4, 4])
        #expect(close(maxPool2d(x, kernel: 3, stride: 2, ceilMode: true), [10, 11, 14, 15], shape: [1, 1, 2, 2]))
        #expect(close(maxPool2d(x, kernel: 3, stride: 2), [10], shape: [1, 1, 1, 1]))
        #expect(close(maxPool2d(x, kernel: 2, padding: 1), [0, 2, 3, 8, 10, 11, 12, 14, 15], shape: [1, 1, 3, 3]))
        // Ceil mode: the last windows hang over the edge and divide by what they cover.
        #expect(close(avgPool2d(x, kernel: 3, stride: 2, ceilMode: true), [5, 6.5, 11, 12.5], shape: [1, 1, 2, 2]))
        // count_include_pad: the divisor counts the zero padding.
        let ones = Tensor<S>(repeating: 1, shape: [1, 1, 3, 3])
        #expect(close(avgPool2d(ones, kernel: 2, padding: 1), [0.25, 0.5, 0.5, 1], shape: [1, 1, 2, 2]))
        #expect(close(avgPool2d(ones, kernel: 2, padding: 1, countIncludePad: false), [1, 1, 1, 1], shape: [1, 1, 2, 2]))
        // Asymmetric padding (bottom/right only): the "same" 2x2 pool of a 3x3 input.
        #expect(close(avgPool2d(ones, kernel: 2, stride: 1, padding: Padding2d(top: 0, left: 0, bottom: 1, right: 1)),
                      [1, 1, 0.5, 1, 1, 0.5, 0.5, 0.5, 0.25], shape: [1, 1, 3, 3]))
        #expect(close(globalAvgPool(arange([2, 2, 2, 2], S.self)), [1.5, 5.5, 9.5, 13.5], shape: [2, 2, 1, 1]))
    }

    @Test func poolingValues() {
        Self.pool(Float.self)
        Self.pool(Double.self)
    }

    static func normalisation<S: TensorScalar>(_: S.Type) {
        // size 2: channel c sees channels c-1 and c.
        let x = Tensor<S>(shape: [1, 2, 1, 1], scalars: [1, 2])
        #expect(close(localResponseNorm(x, size: 2, alpha: 1, beta: 1, k: 1), [1 / 1.5, 2 / 3.5], shape: [1, 2, 1, 1]))

        // Batch norm, one channel holding 1, 2, 3, 4: mean 2.5, variance 1.25 (unbiased 5/3).
        let b = Tensor<S>(shape: [2, 1, 1, 2], scalars: [1, 2, 3, 4])
        var mean = Tensor<S>.zeros([1]), variance = Tensor<S>.ones([1])
        let y = batchNorm2d(b, gamma: Tensor([2]), beta: Tensor([1]), runningMean: &mean, runningVar: &variance,
                            training: true, momentum: 0.1, eps: 0)
        let s = 2 / 1.25.squareRoot()
        #expect(close(y, [1 - 1.5 * s, 1 - 0.5 * s, 1 + 0.5 * s, 1 + 1.5 * s], shape: [2, 1, 1, 2], tolerance: 1e-5))
        #expect(close(mean, [0.25], shape: [1]))
        #expect(close(variance, [0.9 + 0.1 * 5 / 3], shape: [1]))
        // Evaluation uses (and keeps) the running statistics.
        let e = batchNorm2d(b, gamma: Tensor([2]), beta: Tensor([1]), runningMean: &mean, runningVar: &variance,
                            training: false, eps: 0)
        let inv = 1 / (0.9 + 0.1 * 5 / 3).squareRoot()
        #expect(close(e, [1, 2, 3, 4].map { ($0 - 0.25) * inv * 2 + 1 }, shape: [2, 1, 1, 2], tolerance: 1e-5))
        #expect(close(mean, [0.25], shape: [1]))
        // Under withNoGrad training still updates the running statistics.
        withNoGrad {
            _ = batchNorm2d(b, gamma: nil, beta: nil, runningMean: &mean, runningVar: &variance, training: true)
        }
        #expect(close(mean, [0.9 * 0.25 + 0.1 * 2.5], shape: [1]))
    }

    @Test func normalisationValues() {
        Self.normalisation(Float.self)
        Self.normalisation(Double.self)
    }

    @Test func outputShapes() {
        let x = Tensor<Float>.zeros([2, 6, 11, 9])
        // PyTorch: (H + 2p - d(k - 1) - 1) / s + 1
        #expect(conv2d(x, weight: .zeros([4, 3, 3, 3]), stride: 2, padding: 1, dilation: 2, groups: 2).shape == [2, 4, 5, 4])
        // PyTorch: (H - 1)s - 2p + d(k - 1) + op + 1
        #expect(convTranspose2d(x, weight: .zeros([6, 2, 4, 3]), stride: Size2d(3, 2), padding: Padding2d(1, 2),
                                outputPadding: Size2d(2, 1), dilation: Size2d(1, 2), groups: 3).shape == [2, 6, 34, 18])
        #expect(maxPool2d(x, kernel: 3, stride: 2, padding: 1, ceilMode: true).shape == [2, 6, 6, 5])
        #expect(avgPool2d(x, kernel: 2).shape == [2, 6, 5, 4])
        #expect(avgPool2d(x, kernel: 2, ceilMode: true).shape == [2, 6, 6, 5])
        #expect(globalAvgPool(x).shape == [2, 6, 1, 1])
        // Impossible configurations are refused by the C shape functions.
        #expect(Conv2dGeometry(input: [1, 3, 2, 2], outputChannels: 1, kernel: 3, stride: 1, padding: 0, dilation: 1,
                               groups: 1, transposed: false) == nil)
        #expect(Conv2dGeometry(input: [1, 4, 5, 5], outputChannels: 3, kernel: 1, stride: 1, padding: 0, dilation: 1,
                               groups: 2, transposed: false) == nil)
        #expect(Conv2dGeometry(input: [1, 2, 5, 5], outputChannels: 2, kernel: 3, stride: 2, padding: 0, dilation: 1,
                               groups: 1, outputPadding: 2, transposed: true) == nil)
        #expect(Pool2dGeometry(input: [1, 1, 4, 4], kernel: 2, stride: 2, padding: 2, ceilMode: false) == nil)
    }

    @Test func gradientsOnlyWhereRequired() {
        var x = Tensor<Float>.ones([1, 2, 4, 4]), w = Tensor<Float>.ones([3, 2, 3, 3])
        let b = Tensor<Float>.zeros([3])
        x.requiresGrad = true
        conv2d(x, weight: w, bias: b, padding: 1).sum().backward()
        #expect(x.grad != nil && w.grad == nil && b.grad == nil)
        // Corners of a 4x4 input with padding 1 are used by 4 output positions per output channel.
        #expect(x.grad![0, 0, 0, 0] == 12)
        w.requiresGrad = true
        let y = withNoGrad { conv2d(x, weight: w, padding: 1) }
        #expect(y.isLeaf && !y.requiresGrad)
    }
}
