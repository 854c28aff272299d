/// Batch normalisation over [N, C, H, W], statistics per channel C
/// (PyTorch's `nn.BatchNorm2d`), on `batchNorm2d` (the C kernels
/// dk_batch_norm_train_forward / dk_batch_norm_backward for Float).
///
/// Same contract as `BatchNorm1d`: training mode normalises with the batch
/// mean and biased variance and folds them into the running statistics,
/// running = (1 - momentum) · running + momentum · batch, with the unbiased
/// variance (× n / (n - 1), n = N·H·W) and with `momentum` nil a cumulative
/// average (factor 1 / batches seen); evaluation mode normalises with the
/// running statistics, as does training mode when γ and β are frozen
/// (`usesBatchStatistics`). Without `trackRunningStats` both modes use batch
/// statistics. Buffers: `running_mean`, `running_var`, `num_batches_tracked`.
public final class BatchNorm2d<Scalar: TensorScalar>: BatchNorm<Scalar> {
    public init(_ featureCount: Int, eps: Double = 1e-5, momentum: Double? = 0.1, affine: Bool = true,
                trackRunningStats: Bool = true) {
        super.init(layer: "BatchNorm2d", featureCount: featureCount, eps: eps, momentum: momentum, affine: affine,
                   trackRunningStats: trackRunningStats)
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        precondition(input.rank == 4 && input.shape[1] == featureCount,
                     "BatchNorm2d(\(featureCount)): input must be [N, \(featureCount), H, W], got \(input.shape)")
        let (gamma, beta) = (weight?.value, bias?.value)
        guard let runningMean, let runningVar, let batchesTracked else {
            return batchNorm2d(input, gamma: gamma, beta: beta, eps: Scalar(eps))
        }
        var factor: Scalar = 0
        let training = usesBatchStatistics
        if training {
            batchesTracked.value = batchesTracked.value + 1
            factor = Scalar(momentum ?? 1 / Double(batchesTracked.value.item()))
        }
        return batchNorm2d(input, gamma: gamma, beta: beta, runningMean: &runningMean.value, runningVar: &runningVar.value,
                           training: training, momentum: factor, eps: Scalar(eps))
    }
}
