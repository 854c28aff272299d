/// Loss functions, averaged over the batch (PyTorch's reduction="mean").

/// Softmax cross-entropy of `logits` [N, C] against class `labels` (N
/// values in 0..<C). With `labelSmoothing` ε the target distribution is
/// (1 - ε) on the label plus ε / C on every class, as in PyTorch.
/// Fused: the gradient is (softmax(logits) - target) / N.
public func crossEntropy<Scalar>(logits: Tensor<Scalar>, labels: [Int], labelSmoothing: Scalar = 0) -> Tensor<Scalar> {
    precondition(logits.rank == 2, "crossEntropy: logits must be [N, C], got \(logits.shape)")
    let (n, c) = (logits.shape[0], logits.shape[1])
    precondition(labels.count == n, "crossEntropy: \(labels.count) labels for \(n) rows")
    precondition(labels.allSatisfy { $0 >= 0 && $0 < c }, "crossEntropy: a label is outside 0..<\(c)")
    precondition(labelSmoothing >= 0 && labelSmoothing <= 1, "crossEntropy: labelSmoothing must be in [0, 1]")
    let target = smoothedOneHot(labels, classes: c, smoothing: labelSmoothing)
    let logProbabilities = logits.softmaxRaw(axis: 1, log: true)
    let loss = -(logProbabilities.zipped(.multiply, target).summed(axes: [0, 1]).item()) / Scalar(n)
    return Tensor.record("crossEntropy", Tensor(loss), inputs: [logits]) { g in
        let scale = g.item() / Scalar(n)
        return [logProbabilities.mapped(.exp).zipped(.subtract, target).mapped(.multiplyScalar(scale))]
    }
}

/// Negative log-likelihood of `logProbabilities` [N, C] (a log-softmax) at `labels`.
public func nll<Scalar>(logProbabilities: Tensor<Scalar>, labels: [Int]) -> Tensor<Scalar> {
    precondition(logProbabilities.rank == 2, "nll: input must be [N, C], got \(logProbabilities.shape)")
    let (n, c) = (logProbabilities.shape[0], logProbabilities.shape[1])
    precondition(labels.count == n, "nll: \(labels.count) labels for \(n) rows")
    precondition(labels.allSatisfy { $0 >= 0 && $0 < c }, "nll: a label is outside 0..<\(c)")
    var total: Scalar = 0
    for (i, label) in labels.enumerated() { total -= logProbabilities.scalars[i * c + label] }
    return Tensor.record("nll", Tensor(total / Scalar(n)), inputs: [logProbabilities]) { g in
        var dx = Tensor<Scalar>.zeros([n, c])
        let value = -g.item() / Scalar(n)
        for (i, label) in labels.enumerated() { dx[i, label] = value }
        return [dx]
    }
}

/// Mean squared error: mean((predictions - targets)²) over all elements.
public func mse<Scalar>(_ predictions: Tensor<Scalar>, _ targets: Tensor<Scalar>) -> Tensor<Scalar> {
    precondition(predictions.shape == targets.shape, "mse: shapes \(predictions.shape) and \(targets.shape) differ")
    return (predictions - targets).squared().mean()
}

/// Binary cross-entropy on logits, mean over all elements, in the stable
/// form max(x, 0) - x·t + log(1 + exp(-|x|)). Gradients: (σ(x) - t) / N
/// for the logits, -x / N for the targets.
public func binaryCrossEntropyWithLogits<Scalar>(_ logits: Tensor<Scalar>, _ targets: Tensor<Scalar>) -> Tensor<Scalar> {
    precondition(logits.shape == targets.shape, "binaryCrossEntropyWithLogits: shapes \(logits.shape) and \(targets.shape) differ")
    let n = Scalar(logits.count)
    var total: Scalar = 0
    let (x, t) = (logits.detached(), targets.detached())
    x.withUnsafeBufferPointer { xs in
        t.withUnsafeBufferPointer { ts in
            for i in 0..<xs.count {
                let v = xs[i]
                total += Swift.max(v, 0) - v * ts[i] + Scalar.log1p(Scalar.exp(-Swift.abs(v)))
            }
        }
    }
    let needs = (logits.node != nil, targets.node != nil)
    return Tensor.record("binaryCrossEntropyWithLogits", Tensor(total / n), inputs: [logits, targets]) { g in
        let scale = g.item() / n
        return [needs.0 ? x.mapped(.sigmoid).zipped(.subtract, t).mapped(.multiplyScalar(scale)) : nil,
                needs.1 ? x.mapped(.multiplyScalar(-scale)) : nil]
    }
}

/// [N, C] with (1 - ε) + ε / C at each label and ε / C elsewhere.
func smoothedOneHot<Scalar: TensorScalar>(_ labels: [Int], classes c: Int, smoothing: Scalar) -> Tensor<Scalar> {
    let off = smoothing / Scalar(c)
    var t = Tensor<Scalar>(repeating: off, shape: [labels.count, c])
    for (i, label) in labels.enumerated() { t[i, label] = 1 - smoothing + off }
    return t
}
