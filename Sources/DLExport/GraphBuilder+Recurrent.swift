/// Sequence ops (format 1.2, docs/FORMAT.md "Recurrent ops"): embedding
/// lookup and single-layer, batch-first rnn, lstm and gru. A file with any of
/// them is written as minor version 2 (`ModelFile.minorVersion`). W_ih and
/// W_hh may be i8 constants (weight-only int8, a quarter of the bytes): the
/// file stays 1.2, and the runtime runs the f32 kernels on their dequantized values.
extension GraphBuilder {
    /// The most rows an embedding table may have: ids are f32, exact up to 2^24.
    public static let embeddingMaxRows = 1 << 24

    /// `y[n, t, :] = table[ids[n, t], :]`: `ids` f32 [N] or [N, T] (checked to be
    /// integers in [0, V) when the model runs), `table` a constant [V, D].
    /// Output [N, D] or [N, T, D].
    public mutating func embedding(_ ids: TensorID, table: TensorID, name: String? = nil) throws -> TensorID {
        let outputName = uniqueName(name, op: .embedding)
        let node = describe(.embedding, outputName)
        let input = try operand(ids, "ids", of: node)
        let rows = try constantOperand(table, "table", of: node)
        guard input.shape.count == 1 || input.shape.count == 2 else {
            throw ExportError.shape("\(node): ids '\(input.name)' must be [N] or [N, T], has shape \(input.shape)")
        }
        try requireRank(rows, 2, "table", of: node)
        guard rows.shape[0] <= Self.embeddingMaxRows else {
            throw ExportError.shape("\(node): table '\(rows.name)' has \(rows.shape[0]) rows, at most 2^24")
        }
        return try appendNode(.embedding, inputs: [ids, table], attributes: [],
                              outputShape: input.shape + [rows.shape[1]], name: outputName)
    }

    /// One tanh RNN layer: `h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)`.
    /// `x` [N, T, I], `weightIH` [H, I], `weightHH` [H, H], biases [H]: PyTorch's
    /// `nn.RNN(batch_first=True)` weights unchanged. Output [N, T, H].
    public mutating func rnn(_ x: TensorID, weightIH: TensorID, weightHH: TensorID, biasIH: TensorID? = nil,
                             biasHH: TensorID? = nil, name: String? = nil) throws -> TensorID
    {
        try recurrent(.rnn, gates: 1, x, weights: (weightIH, weightHH), biases: (biasIH, biasHH), name: name)
    }

    /// One LSTM layer, PyTorch's `nn.LSTM(batch_first=True)`: weights [4H, ·] with
    /// gate row blocks i, f, g, o. Output [N, T, H] (every h_t).
    public mutating func lstm(_ x: TensorID, weightIH: TensorID, weightHH: TensorID, biasIH: TensorID? = nil,
                              biasHH: TensorID? = nil, name: String? = nil) throws -> TensorID
    {
        try recurrent(.lstm, gates: 4, x, weights: (weightIH, weightHH), biases: (biasIH, biasHH), name: name)
    }

    /// One GRU layer, PyTorch's `nn.GRU(batch_first=True)`: weights [3H, ·] with
    /// gate row blocks r, z, n. Output [N, T, H].
    public mutating func gru(_ x: TensorID, weightIH: TensorID, weightHH: TensorID, biasIH: TensorID? = nil,
                             biasHH: TensorID? = nil, name: String? = nil) throws -> TensorID
    {
        try recurrent(.gru, gates: 3, x, weights: (weightIH, weightHH), biases: (biasIH, biasHH), name: name)
    }

    /// W_ih or W_hh: a constant f32, or i8 for weight-only int8 (the runtime
    /// dequantizes it once at load, `w = scale[row] * q`): one scale per row
    /// (per-channel on axis 0) or one per tensor, zero points 0, values in [-127, 127].
    private func recurrentWeight(_ id: TensorID, _ role: String, of node: String) throws -> TensorDefinition {
        guard tensors.indices.contains(id.index), tensors[id.index].dtype != .f32 else {
            return try constantOperand(id, role, of: node)
        }
        let tensor = tensors[id.index]
        guard tensor.dtype == .i8 else {
            throw ExportError.invalidArgument(
                "\(node): \(role) '\(tensor.name)' is \(tensor.dtype); recurrent weights are f32 or i8 (weight-only int8)")
        }
        guard let data = tensor.data else {
            throw ExportError.invalidArgument("\(node): \(role) '\(tensor.name)' must be a constant")
        }
        let zeroPoints: [Int32]
        switch tensor.quantization {
        case .perTensor(_, let zeroPoint): zeroPoints = [zeroPoint]
        case .perChannel(0, _, let channelZeroPoints): zeroPoints = channelZeroPoints
        case .perChannel(let axis, let scales, _):
            throw ExportError.invalidArgument(
                "\(node): int8 \(role) '\(tensor.name)' must have one scale per row (per-channel on axis 0, "
                    + "\(tensor.shape[0]) scales) or one per tensor; has \(scales.count) on axis \(axis)")
        case .none:
            throw ExportError.invalidArgument(
                "\(node): int8 \(role) '\(tensor.name)' must have one scale per row (per-channel on axis 0) "
                    + "or one per tensor; has no quantization")
        }
        if let bad = zeroPoints.first(where: { $0 != 0 }) {
            throw ExportError.invalidArgument(
                "\(node): int8 \(role) '\(tensor.name)' has zero point \(bad); int8 weights have zero points 0")
        }
        if let index = data.firstIndex(of: UInt8(bitPattern: Int8.min)) {
            throw ExportError.invalidArgument(
                "\(node): int8 \(role) '\(tensor.name)' holds -128 at element \(index); int8 weights are in [-127, 127]")
        }
        return tensor
    }

    /// The shape rules the loader applies to all three: H is W_hh's second
    /// dimension, every weight has `gates`·H rows.
    private mutating func recurrent(_ op: OpCode, gates: Int, _ x: TensorID, weights: (TensorID, TensorID),
                                    biases: (TensorID?, TensorID?), name: String?) throws -> TensorID
    {
        let outputName = uniqueName(name, op: op)
        let node = describe(op, outputName)
        let input = try operand(x, "input", of: node)
        let wIH = try recurrentWeight(weights.0, "W_ih", of: node)
        let wHH = try recurrentWeight(weights.1, "W_hh", of: node)
        guard input.shape.count == 3 else {
            throw ExportError.shape(
                "\(node): input '\(input.name)' must be [N, T, I] (batch first), has shape \(input.shape)")
        }
        try requireRank(wHH, 2, "W_hh", of: node)
        let h = wHH.shape[1]
        try requireShape(wHH, [gates * h, h], "W_hh", of: node)
        try requireShape(wIH, [gates * h, input.shape[2]], "W_ih", of: node)
        for (bias, role) in [(biases.0, "b_ih"), (biases.1, "b_hh")] {
            if let bias { try requireShape(try constantOperand(bias, role, of: node), [gates * h], role, of: node) }
        }
        return try appendNode(op, inputs: [x, weights.0, weights.1, biases.0, biases.1], attributes: [],
                              outputShape: [input.shape[0], input.shape[1], h], name: outputName)
    }
}
