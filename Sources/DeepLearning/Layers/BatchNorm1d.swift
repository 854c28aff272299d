/// Batch normalisation over [N, C] or [N, C, L] (PyTorch's
/// `nn.BatchNorm1d`), statistics per channel C.
///
/// Training mode normalises with the batch's mean and biased variance and
/// updates the running statistics as PyTorch does:
/// running = (1 - momentum) · running + momentum · batch, where the
/// variance folded in is the *unbiased* one (× n / (n - 1)), and with
/// `momentum` nil a cumulative average (factor 1 / batches seen).
/// Evaluation mode normalises with the running statistics, so a single
/// example gives the same answer as in a batch; so does training mode when
/// γ and β are frozen (`usesBatchStatistics`). Built from tensor ops, so
/// autograd differentiates through the batch statistics.
public final class BatchNorm1d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    public init(_ featureCount: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(layer: "BatchNorm1d", featureCount: featureCount, eps: eps, momentum: momentum, affine: affine,
                   trackRunningStats: trackRunningStats)
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition((input.rank == 2 || input.rank == 3) && input.shape[1] == featureCount,
                     "BatchNorm1d(\(featureCount)): input must be [N, \(featureCount)] or [N, \(featureCount), L], got \(input.shape)")
        // Per-channel tensors broadcast as [C] against [N, C], as [C, 1] against [N, C, L].
        let channelShape = input.rank == 2 ? [featureCount] : [featureCount, 1]
        let axes = input.rank == 2 ? [0] : [0, 2]
        let n = input.count / featureCount
        let normalized: Tensor<Scalar>
        if usesBatchStatistics || runningMean == nil {
            precondition(n > 1, "BatchNorm1d: training needs more than one value per channel, got input \(input.shape)")
            let mean = input.mean(alongAxes: axes, keepDims: true).reshaped(channelShape)
            let centered = input - mean
            let variance = (centered * centered).mean(alongAxes: axes, keepDims: true).reshaped(channelShape)
            normalized = centered / (variance + Scalar(eps)).sqrt()
            if usesBatchStatistics, let runningMean, let runningVar, let batchesTracked {
                withNoGrad {
                    batchesTracked.value = batchesTracked.value + 1
                    let factor = Scalar(momentum ?? 1 / Double(batchesTracked.value.item()))
                    let unbiased = variance.detached().reshaped([featureCount]) * Scalar(Double(n) / Double(n - 1))
                    runningMean.value = runningMean.value * (1 - factor) + mean.detached().reshaped([featureCount]) * factor
                    runningVar.value = runningVar.value * (1 - factor) + unbiased * factor
                }
            }
        } else {
            let mean = runningMean!.value.reshaped(channelShape)
            let std = (runningVar!.value + Scalar(eps)).sqrt().reshaped(channelShape)
            normalized = (input - mean) / std
        }
        guard let weight, let bias else { return normalized }
        return normalized * weight.value.reshaped(channelShape) + bias.value.reshaped(channelShape)
    }
}
