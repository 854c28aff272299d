/// A multi-layer recurrent network over batch-first sequences (PyTorch's
/// `nn.RNN`, `nn.LSTM`, `nn.GRU` with `batch_first=True`): layer k reads
/// layer k-1's outputs, with dropout between layers (not after the last)
/// in training mode. Parameters carry PyTorch's names (`weight_ih_l0`,
/// `weight_hh_l0`, `bias_ih_l0`, `bias_hh_l0`, ...) so that state dicts
/// move between the two unchanged.
///
/// ```swift
/// let lstm = LSTM<Float>(inputSize: 65, hiddenSize: 256, layerCount: 2, dropout: 0.2, using: &rng)
/// let (outputs, state) = lstm(x, state: nil)  // x [B, T, 65] -> [B, T, 256], zero start
/// let (next, _) = lstm(y, state: state.map { $0.detached() })  // truncated BPTT
/// ```
public class RecurrentStack<Scalar: TensorScalar>: Module<Scalar> {
    public let kind: RecurrentKind
    public let inputSize: Int
    public let hiddenSize: Int
    public let layerCount: Int
    /// Per layer, W_ih, W_hh and (with biases) b_ih, b_hh.
    public let layerParameters: [[Parameter<Scalar>]]
    /// Between layers; its generator is the stack's only non-parameter state.
    public let dropout: Dropout<Scalar>

    init<G: RandomNumberGenerator>(kind: RecurrentKind, inputSize: Int, hiddenSize: Int, layerCount: Int,
                                   bias: Bool, dropout: Double, forgetBias: Scalar?, dropoutSeed: UInt64,
                                   using generator: inout G) {
        precondition(inputSize > 0 && hiddenSize > 0 && layerCount > 0,
                     "\(kind): sizes and layer count must be positive, got \(inputSize), \(hiddenSize), \(layerCount)")
        self.kind = kind
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
        self.layerCount = layerCount
        layerParameters = (0..<layerCount).map { layer in
            kind.initialWeights(input: layer == 0 ? inputSize : hiddenSize, hidden: hiddenSize, bias: bias,
                                forgetBias: forgetBias, using: &generator).map { Parameter($0) }
        }
        self.dropout = Dropout(p: dropout, seed: dropoutSeed)
        super.init()
    }

    public override var ownParameters: [(name: String, parameter: Parameter<Scalar>)] {
        let names = ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]
        return layerParameters.enumerated().flatMap { layer, parameters in
            zip(names, parameters).map { ("\($0)_l\(layer)", $1) }
        }
    }

    public override var children: [(name: String, module: Module<Scalar>)] { [("dropout", dropout)] }

    /// Every step's output of the last layer [B, T, H], and each layer's
    /// final state. `state` (one per layer) nil means zeros; `stack(x)`
    /// alone gives the outputs only.
    public func callAsFunction(_ input: Tensor<Scalar>, state: [RecurrentState<Scalar>]?)
        -> (output: Tensor<Scalar>, state: [RecurrentState<Scalar>]) {
        precondition(input.rank == 3 && input.shape[2] == inputSize && input.shape[0] > 0 && input.shape[1] > 0,
                     "\(kind): input must be [B, T, \(inputSize)] (batch first), got \(input.shape)")
        let batch = input.shape[0]
        let initial = state ?? Array(repeating: .zeros(kind, batch: batch, hidden: hiddenSize), count: layerCount)
        precondition(initial.count == layerCount, "\(kind): \(initial.count) states for \(layerCount) layers")
        var x = input
        var final: [RecurrentState<Scalar>] = []
        for (layer, parameters) in layerParameters.enumerated() {
            if layer > 0 { x = dropout(x) }
            let (output, last) = kind.layer(x, Self.weights(parameters), state: initial[layer])
            x = output
            final.append(last)
        }
        return (x, final)
    }

    /// The last layer's outputs for every step, from a zero state (for use in `Sequential`).
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { self(input, state: nil).output }

    static func weights(_ p: [Parameter<Scalar>]) -> RecurrentKind.Weights<Scalar> {
        RecurrentKind.Weights(inputWeight: p[0].value, hiddenWeight: p[1].value,
                              inputBias: p.count > 2 ? p[2].value : nil, hiddenBias: p.count > 3 ? p[3].value : nil)
    }
}

/// `nn.LSTM`: see `RecurrentStack`. b_ih's forget block starts at `forgetBias`.
public final class LSTM<Scalar: TensorScalar>: RecurrentStack<Scalar> {
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true,
                                          dropout: Double = 0, forgetBias: Scalar = 1, dropoutSeed: UInt64 = 0,
                                          using generator: inout G) {
        super.init(kind: .lstm, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount, bias: bias,
                   dropout: dropout, forgetBias: forgetBias, dropoutSeed: dropoutSeed, using: &generator)
    }
}

/// `nn.GRU`: see `RecurrentStack`.
public final class GRU<Scalar: TensorScalar>: RecurrentStack<Scalar> {
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true,
                                          dropout: Double = 0, dropoutSeed: UInt64 = 0, using generator: inout G) {
        super.init(kind: .gru, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount, bias: bias,
                   dropout: dropout, forgetBias: nil, dropoutSeed: dropoutSeed, using: &generator)
    }
}

/// `nn.RNN` with tanh: see `RecurrentStack`.
public final class RNN<Scalar: TensorScalar>: RecurrentStack<Scalar> {
    public init<G: RandomNumberGenerator>(inputSize: Int, hiddenSize: Int, layerCount: Int = 1, bias: Bool = true,
                                          dropout: Double = 0, dropoutSeed: UInt64 = 0, using generator: inout G) {
        super.init(kind: .rnn, inputSize: inputSize, hiddenSize: hiddenSize, layerCount: layerCount, bias: bias,
                   dropout: dropout, forgetBias: nil, dropoutSeed: dropoutSeed, using: &generator)
    }
}
