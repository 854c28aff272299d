import DLExport
import DLRuntime
import Foundation
import Testing

/// Models built with GraphBuilder, run by the C runtime, checked against
/// values computed here in Swift (by hand or by naive loops).
@Suite struct OpTests {
    @Test func denseMatchesHandComputedValues() throws {
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [2, 3])
        let w = try b.constant(name: "w", shape: [2, 3], values: [0.5, -1, 2, 1, 1, 1])
        let bias = try b.constant(name: "b", shape: [2], values: [0.25, -3])
        let plain = try b.dense(x, weight: w, bias: bias, name: "plain")
        let fused = try b.dense(x, weight: w, bias: bias, activation: .relu, name: "fused")
        try b.output(plain)
        try b.output(fused)
        // Row 0 [1, 2, 3]:  0.5 - 2 + 6 + 0.25 = 4.75;  1 + 2 + 3 - 3 = 3.
        // Row 1 [-1, 0, 1]: -0.5 + 0 + 2 + 0.25 = 1.75; -1 + 0 + 1 - 3 = -3.
        let out = try run(b, [[1, 2, 3, -1, 0, 1]])
        #expect(out[0] == [4.75, 3, 1.75, -3])
        #expect(out[1] == [4.75, 3, 1.75, 0])
    }

    @Test func elementwiseActivations() throws {
        let xs: [Float] = [-2, -0.5, 0, 0.5, 3, 7]
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 6])
        for y in [try b.relu(x), try b.leakyRelu(x, alpha: 0.1), try b.sigmoid(x), try b.tanh(x)] {
            try b.output(y)
        }
        let out = try run(b, [xs])
        #expect(out[0] == [0, 0, 0, 0.5, 3, 7])
        expectClose(out[1], [-0.2, -0.05, 0, 0.5, 3, 7])
        expectClose(out[2], xs.map { 1 / (1 + Foundation.exp(-$0)) })
        expectClose(out[3], xs.map { Foundation.tanh($0) })
    }

    @Test func conv2d3x3MatchesNaiveLoop() throws {
        var values = Values(seed: 1)
        let (n, c, h, w, m) = (1, 2, 5, 5, 3)
        let xs = values.array(n * c * h * w), ws = values.array(m * c * 9), bs = values.array(m)
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [n, c, h, w])
        let weight = try b.constant(name: "w", shape: [m, c, 3, 3], values: ws)
        let bias = try b.constant(name: "b", shape: [m], values: bs)
        let y = try b.conv2d(x, weight: weight, bias: bias, padding: (1, 1, 1, 1))
        try b.output(y)
        #expect(try b.shape(of: y) == [1, 3, 5, 5])
        let want = referenceConv2d(x: xs, n: n, c: c, h: h, w: w, weight: ws, m: m, kh: 3, kw: 3, bias: bs,
                                   pads: (1, 1, 1, 1))
        let model = try load(b)
        // More threads than images: the kernel must split one image's work correctly.
        for threads in 1...4 {
            let got = try Session(model: model, threads: threads).run([xs])[0]
            expectClose(got, want.y, comment: "threads \(threads)")
        }
    }

    /// Stride, asymmetric padding, dilation, groups and a fused ReLU together, batch 2, 2 threads.
    @Test func conv2dStridedGroupedDilated() throws {
        var values = Values(seed: 2)
        let (n, c, h, w, m, groups) = (2, 4, 9, 8, 6, 2)
        let xs = values.array(n * c * h * w), ws = values.array(m * (c / groups) * 9), bs = values.array(m)
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [n, c, h, w])
        let weight = try b.constant(name: "w", shape: [m, c / groups, 3, 3], values: ws)
        let bias = try b.constant(name: "b", shape: [m], values: bs)
        let y = try b.conv2d(x, weight: weight, bias: bias, stride: (2, 1), padding: (2, 1, 1, 2),
                             dilation: (2, 2), groups: groups, activation: .relu)
        try b.output(y)
        let want = referenceConv2d(x: xs, n: n, c: c, h: h, w: w, weight: ws, m: m, kh: 3, kw: 3, bias: bs,
                                   stride: (2, 1), pads: (2, 1, 1, 2), dilation: (2, 2), groups: groups)
        #expect(try b.shape(of: y) == [n, m, want.ho, want.wo])
        expectClose(try run(b, [xs], threads: 2)[0], want.y.map { max($0, 0) })
    }

    @Test func convTranspose2dMatchesScatterLoop() throws {
        var values = Values(seed: 3)
        let (n, c, h, w, mPerGroup) = (1, 2, 3, 4, 3)
        let xs = values.array(n * c * h * w), ws = values.array(c * mPerGroup * 9), bs = values.array(mPerGroup)
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [n, c, h, w])
        let weight = try b.constant(name: "w", shape: [c, mPerGroup, 3, 3], values: ws)
        let bias = try b.constant(name: "b", shape: [mPerGroup], values: bs)
        let y = try b.convTranspose2d(x, weight: weight, bias: bias, stride: (2, 2), padding: (1, 1, 1, 1),
                                      outputPadding: (1, 1))
        try b.output(y)
        let want = referenceConvTranspose2d(x: xs, n: n, c: c, h: h, w: w, weight: ws, mPerGroup: mPerGroup,
                                            kh: 3, kw: 3, bias: bs, stride: (2, 2), pads: (1, 1, 1, 1),
                                            outputPadding: (1, 1))
        #expect(try b.shape(of: y) == [n, mPerGroup, want.ho, want.wo])
        expectClose(try run(b, [xs])[0], want.y)
    }

    @Test func softmaxRowsSumToOne() throws {
        var values = Values(seed: 4)
        let xs = values.array(3 * 5).map { $0 * 10 }
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [3, 5])
        try b.output(try b.softmax(x))
        let y = try run(b, [xs])[0]
        for row in 0..<3 {
            let slice = Array(y[(row * 5)..<(row * 5 + 5)])
            #expect(abs(slice.reduce(0, +) - 1) < 1e-5)
            let logits = xs[(row * 5)..<(row * 5 + 5)].map(Double.init)
            let top = logits.max() ?? 0
            let exps = logits.map { Foundation.exp($0 - top) }
            expectClose(slice, exps.map { Float($0 / exps.reduce(0, +)) })
        }
    }

    @Test func softmaxOverChannels() throws {
        var values = Values(seed: 5)
        let xs = values.array(1 * 3 * 2 * 2)
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 3, 2, 2])
        try b.output(try b.softmax(x, axis: 1))
        let y = try run(b, [xs])[0]
        for pixel in 0..<4 {
            let sum = (0..<3).reduce(Float(0)) { $0 + y[$1 * 4 + pixel] }
            #expect(abs(sum - 1) < 1e-5)
        }
    }

    @Test func concatAndAdd() throws {
        var b = GraphBuilder()
        let a = try b.input(name: "a", shape: [1, 1, 2, 2])
        let c = try b.input(name: "c", shape: [1, 2, 2, 2])
        let joined = try b.concat([a, c], axis: 1)
        let sum = try b.add(joined, joined, activation: .relu)
        try b.output(joined)
        try b.output(sum)
        let aValues: [Float] = [1, 2, 3, 4]
        let cValues: [Float] = [-1, -2, -3, -4, 5, 6, 7, 8]
        let out = try run(b, [aValues, cValues])
        #expect(out[0] == aValues + cValues)
        #expect(out[1] == [2, 4, 6, 8, 0, 0, 0, 0, 10, 12, 14, 16])
    }

    @Test func pooling() throws {
        let xs = (0..<16).map(Float.init)  // 4x4: row r = [4r, 4r+1, 4r+2, 4r+3]
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 1, 4, 4])
        try b.output(try b.maxPool2d(x, kernel: (2, 2)))
        try b.output(try b.avgPool2d(x, kernel: (2, 2)))
        try b.output(try b.globalAvgPool(x))
        // 3x3 windows, padding 1, stride 2: sums 0+1+4+5 = 10, 1+2+3+5+6+7 = 24, 4+5+8+9+12+13 = 51, and
        // 5+6+7+9+10+11+13+14+15 = 90; divided by 9, or by the 4, 6, 6, 9 real pixels without the padding.
        try b.output(try b.avgPool2d(x, kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1)))
        try b.output(try b.avgPool2d(x, kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1), countIncludePad: false))
        try b.output(try b.maxPool2d(x, kernel: (3, 3), stride: (2, 2), padding: (1, 1, 1, 1)))
        let out = try run(b, [xs])
        #expect(out[0] == [5, 7, 13, 15])
        expectClose(out[1], [2.5, 4.5, 10.5, 12.5])
        expectClose(out[2], [7.5])
        expectClose(out[3], [10.0 / 9, 24.0 / 9, 51.0 / 9, 90.0 / 9])
        expectClose(out[4], [10.0 / 4, 24.0 / 6, 51.0 / 6, 90.0 / 9])
        #expect(out[5] == [5, 7, 13, 15])
    }

    @Test func batchNormAndLRN() throws {
        let xs: [Float] = [1, 2, 3, 4, -1, -2, -3, -4]
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 2, 2, 2])
        let scale = try b.constant(name: "scale", shape: [2], values: [2, 0.5])
        let shift = try b.constant(name: "shift", shape: [2], values: [1, -1])
        let mean = try b.constant(name: "mean", shape: [2], values: [2.5, 0])
        let variance = try b.constant(name: "var", shape: [2], values: [4, 1])
        try b.output(try b.batchNorm(x, scale: scale, bias: shift, mean: mean, variance: variance, epsilon: 0))
        // An odd size: for even sizes docs/FORMAT.md's channel window and PyTorch's differ by one.
        try b.output(try b.lrn(x, size: 3, alpha: 0.5, beta: 0.75, k: 1))
        let out = try run(b, [xs])
        // (x - 2.5) / 2 * 2 + 1 and x / 1 * 0.5 - 1.
        expectClose(out[0], [-0.5, 0.5, 1.5, 2.5, -1.5, -2, -2.5, -3])
        // Size 3 over 2 channels: every channel's window (c-1 ... c+1) covers both channels.
        var want: [Float] = []
        for channel in 0..<2 {
            for pixel in 0..<4 {
                let sum = (0..<2).reduce(0.0) { $0 + Double(xs[$1 * 4 + pixel] * xs[$1 * 4 + pixel]) }
                want.append(Float(Double(xs[channel * 4 + pixel]) / pow(1 + 0.5 / 3 * sum, 0.75)))
            }
        }
        expectClose(out[1], want)
    }

    @Test func reshapeFlattenPad() throws {
        let xs = (1...6).map(Float.init)
        var b = GraphBuilder()
        let x = try b.input(name: "x", shape: [1, 1, 2, 3])
        let flat = try b.flatten(x)
        let reshaped = try b.reshape(flat, shape: [1, 3, -1])
        let padded = try b.pad(x, pads: [0, 0, 1, 0, 0, 0, 0, 1], value: -1)
        try b.output(flat)
        try b.output(reshaped)
        try b.output(padded)
        let session = try Session(model: try load(b))
        #expect(session.outputs.map(\.shape) == [[1, 6], [1, 3, 2], [1, 1, 3, 4]])
        let out = try session.run([xs])
        #expect(out[0] == xs)
        #expect(out[1] == xs)
        #expect(out[2] == [-1, -1, -1, -1, 1, 2, 3, -1, 4, 5, 6, -1])
    }

    /// A small CNN end to end, against the references composed in Swift.
    @Test func smallNetwork() throws {
        var values = Values(seed: 6)
        let xs = values.array(2 * 3 * 8 * 8)
        let w1 = values.array(4 * 3 * 9), b1 = values.array(4)
        let w2 = values.array(5 * 4 * 4 * 4), b2 = values.array(5)
        var b = GraphBuilder()
        let x = try b.input(name: "image", shape: [2, 3, 8, 8])
        let conv = try b.conv2d(x, weight: try b.constant(name: "w1", shape: [4, 3, 3, 3], values: w1),
                                bias: try b.constant(name: "b1", shape: [4], values: b1), padding: (1, 1, 1, 1),
                                activation: .relu)
        let pooled = try b.maxPool2d(conv, kernel: (2, 2))
        let flat = try b.flatten(pooled)
        let logits = try b.dense(flat, weight: try b.constant(name: "w2", shape: [5, 64], values: w2),
                                 bias: try b.constant(name: "b2", shape: [5], values: b2))
        try b.output(try b.softmax(logits))
        let got = try run(b, [xs], threads: 3)[0]

        let c1 = referenceConv2d(x: xs, n: 2, c: 3, h: 8, w: 8, weight: w1, m: 4, kh: 3, kw: 3, bias: b1,
                                 pads: (1, 1, 1, 1)).y.map { max($0, 0) }
        var p: [Float] = []
        for plane in 0..<8 {
            for oy in 0..<4 {
                for ox in 0..<4 {
                    p.append([0, 1, 8, 9].map { c1[plane * 64 + oy * 16 + ox * 2 + $0] }.max() ?? 0)
                }
            }
        }
        var want: [Float] = []
        for row in 0..<2 {
            let z = (0..<5).map { o in (0..<64).reduce(Double(b2[o])) { $0 + Double(p[row * 64 + $1] * w2[o * 64 + $1]) } }
            let e = z.map { Foundation.exp($0 - (z.max() ?? 0)) }
            want += e.map { Float($0 / e.reduce(0, +)) }
        }
        expectClose(got, want, rtol: 1e-3, atol: 1e-5)
    }
}
