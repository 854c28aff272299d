import Foundation

/// docs/FORMAT.md's "Recurrent ops" in plain loops with Double sums,
/// written from the equations (PyTorch's gate order), independently of the
/// C kernels: the tests' reference for embedding, rnn, lstm and gru.
struct ReferenceRecurrentLayer {
    enum Cell {
        case rnn, lstm, gru
        var gates: Int {
            switch self {
            case .rnn: return 1
            case .lstm: return 4
            case .gru: return 3
            }
        }
    }

    var cell: Cell
    var inputSize: Int, hiddenSize: Int
    /// [G·H, I], [G·H, H], [G·H] row-major, as stored in the file.
    var wIH: [Float], wHH: [Float], bIH: [Float]?, bHH: [Float]?

    /// Random weights in [-1, 1) scaled by `scale` (small, so that gates are not saturated).
    init(_ cell: Cell, inputSize: Int, hiddenSize: Int, biases: (Bool, Bool) = (true, true), seed: UInt64,
         scale: Float = 0.5)
    {
        var values = Values(seed: seed)
        let rows = cell.gates * hiddenSize
        self.cell = cell
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        wIH = values.array(rows * inputSize).map { $0 * scale }
        wHH = values.array(rows * hiddenSize).map { $0 * scale }
        bIH = biases.0 ? values.array(rows).map { $0 * scale } : nil
        bHH = biases.1 ? values.array(rows).map { $0 * scale } : nil
    }

    struct Result {
        /// [N, T, H]: h_t for every step.
        var y: [Float]
        /// The final h and (lstm) c, [N, H] each: the session's state after the run.
        var h: [Float], c: [Float]
    }

    /// Runs `x` [N, T, I] from the start state `h0`, `c0` ([N, H], zeros when nil).
    func run(_ x: [Float], n: Int, t steps: Int, h0: [Float]? = nil, c0: [Float]? = nil) -> Result {
        let (i, hs) = (inputSize, hiddenSize)
        var h = (h0 ?? [Float](repeating: 0, count: n * hs)).map(Double.init)
        var c = (c0 ?? [Float](repeating: 0, count: n * hs)).map(Double.init)
        var y = [Float](repeating: 0, count: n * steps * hs)
        func sigmoid(_ v: Double) -> Double { 1 / (1 + exp(-v)) }
        for b in 0..<n {
            for t in 0..<steps {
                let xt = (0..<i).map { Double(x[(b * steps + t) * i + $0]) }
                let hPrev = Array(h[(b * hs)..<((b + 1) * hs)])
                // Gate row r's two halves, kept apart because gru's n gate scales only the hidden one by r.
                func inputPart(_ r: Int) -> Double {
                    (0..<i).reduce(Double(bIH?[r] ?? 0)) { $0 + Double(wIH[r * i + $1]) * xt[$1] }
                }
                func hiddenPart(_ r: Int) -> Double {
                    (0..<hs).reduce(Double(bHH?[r] ?? 0)) { $0 + Double(wHH[r * hs + $1]) * hPrev[$1] }
                }
                func gate(_ k: Int, _ j: Int) -> Double { inputPart(k * hs + j) + hiddenPart(k * hs + j) }
                for j in 0..<hs {
                    let next: Double
                    switch cell {
                    case .rnn:
                        next = tanh(gate(0, j))
                    case .lstm:
                        let (ig, fg, gg, og) = (sigmoid(gate(0, j)), sigmoid(gate(1, j)), tanh(gate(2, j)),
                                                sigmoid(gate(3, j)))
                        c[b * hs + j] = fg * c[b * hs + j] + ig * gg
                        next = og * tanh(c[b * hs + j])
                    case .gru:
                        let r = sigmoid(gate(0, j)), z = sigmoid(gate(1, j))
                        let candidate = tanh(inputPart(2 * hs + j) + r * hiddenPart(2 * hs + j))
                        next = (1 - z) * candidate + z * hPrev[j]
                    }
                    h[b * hs + j] = next
                    y[(b * steps + t) * hs + j] = Float(next)
                }
            }
        }
        return Result(y: y, h: h.map(Float.init), c: cell == .lstm ? c.map(Float.init) : [])
    }
}

/// Row `ids[k]` of `table` [V, D] for every id, back to back.
func referenceEmbedding(ids: [Float], table: [Float], width d: Int) -> [Float] {
    ids.flatMap { table[(Int($0) * d)..<((Int($0) + 1) * d)] }
}

/// `x` [rows, K] times `w`ᵀ ([M, K]) plus `b` [M], Double sums.
func referenceDense(_ x: [Float], rows: Int, weight w: [Float], bias b: [Float], outputs m: Int) -> [Float] {
    let k = x.count / rows
    return (0..<(rows * m)).map { index in
        let (r, o) = (index / m, index % m)
        return Float((0..<k).reduce(Double(b[o])) { $0 + Double(w[o * k + $1]) * Double(x[r * k + $1]) })
    }
}
