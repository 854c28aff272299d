import DLExport
import DLRuntime
import Testing

/// Loads a builder's model through the C runtime, from memory.
func load(_ builder: GraphBuilder) throws -> Model {
    try Model(bytes: try builder.serialize())
}

/// Builds, loads and runs a one-session model on `inputs`.
func run(_ builder: GraphBuilder, _ inputs: [[Float]], threads: Int = 1) throws -> [[Float]] {
    try Session(model: try load(builder), threads: threads).run(inputs)
}

/// Deterministic values in [-1, 1), so failures reproduce.
struct Values {
    private var state: UInt64
    init(seed: UInt64) { state = seed &* 0x9E37_79B9_7F4A_7C15 | 1 }
    mutating func next() -> Float {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        return Float(Int32(truncatingIfNeeded: state >> 32)) / 2_147_483_648
    }
    mutating func array(_ count: Int) -> [Float] { (0..<count).map { _ in next() } }
}

/// Element-wise |a - b| <= atol + rtol * |b|, recording the first mismatch.
func expectClose(_ got: [Float], _ want: [Float], rtol: Float = 1e-4, atol: Float = 1e-5, comment: String = "",
                 sourceLocation: SourceLocation = #_sourceLocation)
{
    let prefix = comment.isEmpty ? "" : "\(comment): "
    guard got.count == want.count else {
        Issue.record("\(prefix)count \(got.count) != \(want.count)", sourceLocation: sourceLocation)
        return
    }
    for index in got.indices where !(abs(got[index] - want[index]) <= atol + rtol * abs(want[index])) {
        Issue.record("\(prefix)element \(index): got \(got[index]), want \(want[index])", sourceLocation: sourceLocation)
        return
    }
}

/// Asserts `body` throws a DLRuntimeError with `status` and a non-empty message; returns the message.
@discardableResult
func expectStatus(_ status: DLRuntimeError.Status, sourceLocation: SourceLocation = #_sourceLocation,
                  _ body: () throws -> Void) -> String
{
    do {
        try body()
        Issue.record("expected \(status), nothing was thrown", sourceLocation: sourceLocation)
    } catch let error as DLRuntimeError {
        #expect(error.status == status, "\(error)", sourceLocation: sourceLocation)
        #expect(!error.message.isEmpty, sourceLocation: sourceLocation)
        return error.message
    } catch {
        Issue.record("expected DLRuntimeError \(status), got \(error)", sourceLocation: sourceLocation)
    }
    return ""
}

// MARK: - naive references, written independently of the runtime

/// Direct convolution, NCHW, exactly as docs/FORMAT.md defines it.
func referenceConv2d(x: [Float], n: Int, c: Int, h: Int, w: Int, weight: [Float], m: Int, kh: Int, kw: Int,
                     bias: [Float]?, stride: (Int, Int) = (1, 1), pads: (Int, Int, Int, Int) = (0, 0, 0, 0),
                     dilation: (Int, Int) = (1, 1), groups: Int = 1) -> (y: [Float], ho: Int, wo: Int)
{
    let ho = (h + pads.0 + pads.2 - dilation.0 * (kh - 1) - 1) / stride.0 + 1
    let wo = (w + pads.1 + pads.3 - dilation.1 * (kw - 1) - 1) / stride.1 + 1
    let cg = c / groups, mg = m / groups
    var y = [Float](repeating: 0, count: n * m * ho * wo)
    for b in 0..<n {
        for oc in 0..<m {
            let g = oc / mg
            for oy in 0..<ho {
                for ox in 0..<wo {
                    var sum = Double(bias?[oc] ?? 0)
                    for ic in 0..<cg {
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let iy = oy * stride.0 - pads.0 + ky * dilation.0
                                let ix = ox * stride.1 - pads.1 + kx * dilation.1
                                guard iy >= 0, iy < h, ix >= 0, ix < w else { continue }
                                let xv = x[((b * c + g * cg + ic) * h + iy) * w + ix]
                                let wv = weight[((oc * cg + ic) * kh + ky) * kw + kx]
                                sum += Double(xv) * Double(wv)
                            }
                        }
                    }
                    y[((b * m + oc) * ho + oy) * wo + ox] = Float(sum)
                }
            }
        }
    }
    return (y, ho, wo)
}

/// Transposed convolution as a scatter: every input pixel adds its kernel-weighted copy to the output.
func referenceConvTranspose2d(x: [Float], n: Int, c: Int, h: Int, w: Int, weight: [Float], mPerGroup: Int,
                              kh: Int, kw: Int, bias: [Float]?, stride: (Int, Int), pads: (Int, Int, Int, Int),
                              outputPadding: (Int, Int), groups: Int = 1) -> (y: [Float], ho: Int, wo: Int)
{
    let m = mPerGroup * groups, cg = c / groups
    let ho = (h - 1) * stride.0 - pads.0 - pads.2 + (kh - 1) + outputPadding.0 + 1
    let wo = (w - 1) * stride.1 - pads.1 - pads.3 + (kw - 1) + outputPadding.1 + 1
    var y = [Double](repeating: 0, count: n * m * ho * wo)
    for b in 0..<n {
        for ic in 0..<c {
            let g = ic / cg
            for iy in 0..<h {
                for ix in 0..<w {
                    let xv = Double(x[((b * c + ic) * h + iy) * w + ix])
                    for om in 0..<mPerGroup {
                        let oc = g * mPerGroup + om
                        for ky in 0..<kh {
                            for kx in 0..<kw {
                                let oy = iy * stride.0 - pads.0 + ky, ox = ix * stride.1 - pads.1 + kx
                                guard oy >= 0, oy < ho, ox >= 0, ox < wo else { continue }
                                y[((b * m + oc) * ho + oy) * wo + ox] +=
                                    xv * Double(weight[((ic * mPerGroup + om) * kh + ky) * kw + kx])
                            }
                        }
                    }
                }
            }
        }
    }
    if let bias {
        for b in 0..<n { for oc in 0..<m { for i in 0..<(ho * wo) { y[(b * m + oc) * ho * wo + i] += Double(bias[oc]) } } }
    }
    return (y.map { Float($0) }, ho, wo)
}
