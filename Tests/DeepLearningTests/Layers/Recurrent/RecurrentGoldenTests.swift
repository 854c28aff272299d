import Foundation
import Testing
@testable import DeepLearning

/// The engine's RNN, LSTM and GRU against PyTorch on the same weights,
/// forward and backward (tools/golden/make_recurrent_training_golden.py,
/// PyTorch in float64): outputs, final states, and the gradients of every
/// parameter, the input and the start states. Float64 must agree to 1e-10
/// (the same math, other summation orders); Float32 to 1e-4 of each
/// quantity's largest magnitude.
@Suite struct RecurrentGoldenTests {
    struct Case {
        let raw: [String: Any]
        var name: String { raw["name"] as! String }
        var kind: RecurrentKind { RecurrentKind(rawValue: raw["kind"] as! String)! }
        func int(_ key: String) -> Int { raw[key] as! Int }
        func values(_ key: String) -> [Double] { raw[key] as! [Double] }
        func dictionary(_ key: String) -> [String: [Double]] { raw[key] as! [String: [Double]] }
    }

    static let cases: [Case] = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("Golden/recurrent_training.json")
        let json = try! JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        return (json["cases"] as! [[String: Any]]).map { Case(raw: $0) }
    }()

    /// The engine's results for `c` in `Scalar`, as Doubles under the golden file's keys.
    static func run<Scalar: TensorScalar>(_ c: Case, _: Scalar.Type) -> [String: [Double]] {
        let (layers, b, t, i, h) = (c.int("layers"), c.int("batch"), c.int("steps"), c.int("input"), c.int("hidden"))
        var g = SplitMix64(seed: 1)
        let bias = c.raw["bias"] as! Bool
        let stack: RecurrentStack<Scalar> = {
            switch c.kind {
            case .lstm: return LSTM(inputSize: i, hiddenSize: h, layerCount: layers, bias: bias, using: &g)
            case .gru: return GRU(inputSize: i, hiddenSize: h, layerCount: layers, bias: bias, using: &g)
            case .rnn: return RNN(inputSize: i, hiddenSize: h, layerCount: layers, bias: bias, using: &g)
            }
        }()
        let weights = c.dictionary("parameters")
        for (name, parameter) in stack.namedParameters() {
            parameter.assign(Tensor(shape: parameter.shape, scalars: weights[name]!.map { Scalar($0) }))
        }
        func leaf(_ values: [Double], _ shape: [Int]) -> Tensor<Scalar> {
            var t = Tensor<Scalar>(shape: shape, scalars: values.map { Scalar($0) })
            t.requiresGrad = true
            return t
        }
        func constant(_ values: [Double], _ shape: [Int]) -> Tensor<Scalar> {
            Tensor(shape: shape, scalars: values.map { Scalar($0) })
        }
        let x = leaf(c.values("x"), [b, t, i])
        let h0 = leaf(c.values("h0"), [layers, b, h])
        let c0 = c.kind == .lstm ? leaf(c.values("c0"), [layers, b, h]) : nil
        let start = (0..<layers).map { l in
            RecurrentState(h: h0.slice(axis: 0, l..<l + 1).reshaped([b, h]),
                           c: c0.map { $0.slice(axis: 0, l..<l + 1).reshaped([b, h]) })
        }
        let (y, final) = stack(x, state: start)
        let hn = Tensor.stack(final.map(\.h))
        var loss = (y * constant(c.values("r_y"), y.shape)).sum() + (hn * constant(c.values("r_h"), hn.shape)).sum()
        var cn: Tensor<Scalar>?
        if c.kind == .lstm {
            cn = Tensor.stack(final.map { $0.c! })
            loss = loss + (cn! * constant(c.values("r_c"), cn!.shape)).sum()
        }
        loss.backward()
        func doubles(_ t: Tensor<Scalar>?) -> [Double] { t?.scalars.map { Double($0) } ?? [] }
        var result: [String: [Double]] = [
            "y": doubles(y), "h_n": doubles(hn), "loss": [Double(loss.item())],
            "grad_x": doubles(x.grad), "grad_h0": doubles(h0.grad),
        ]
        if let cn { result["c_n"] = doubles(cn); result["grad_c0"] = doubles(c0!.grad) }
        for (name, parameter) in stack.namedParameters() { result["grad." + name] = doubles(parameter.grad) }
        return result
    }

    static func expected(_ c: Case) -> [String: [Double]] {
        var e: [String: [Double]] = ["y": c.values("y"), "h_n": c.values("h_n"), "loss": [c.raw["loss"] as! Double],
                                     "grad_x": c.values("grad_x"), "grad_h0": c.values("grad_h0")]
        if c.kind == .lstm { e["c_n"] = c.values("c_n"); e["grad_c0"] = c.values("grad_c0") }
        for (name, grad) in c.dictionary("grad_parameters") { e["grad." + name] = grad }
        return e
    }

    /// max |got - want| / max(max |want|, 1e-30), per quantity.
    static func worst(_ got: [String: [Double]], _ want: [String: [Double]]) -> (String, Double) {
        var result = ("", 0.0)
        for (key, reference) in want {
            guard let values = got[key], values.count == reference.count else { return (key + " (missing)", .infinity) }
            let scale = max(reference.map(abs).max() ?? 0, 1e-30)
            let error = zip(values, reference).map { abs($0 - $1) }.max()! / scale
            if error > result.1 || error.isNaN { result = (key, error.isNaN ? .infinity : error) }
        }
        return result
    }

    @Test func goldenFileCoversEveryKind() {
        #expect(Set(Self.cases.map(\.kind)) == Set(RecurrentKind.allCases))
    }

    @Test(arguments: cases.map(\.name))
    func double(name: String) {
        let c = Self.cases.first { $0.name == name }!
        let (key, error) = Self.worst(Self.run(c, Double.self), Self.expected(c))
        #expect(error < 1e-10, "\(name): \(key) differs by \(error)")
    }

    @Test(arguments: cases.map(\.name))
    func float(name: String) {
        let c = Self.cases.first { $0.name == name }!
        let (key, error) = Self.worst(Self.run(c, Float.self), Self.expected(c))
        #expect(error < 1e-4, "\(name): \(key) differs by \(error)")
    }
}
