/// What every batch-norm layer holds, whatever the rank of its input: γ and β
/// (when `affine`), the running statistics and the batch counter (when
/// `trackRunningStats`), under PyTorch's names (`weight`, `bias`,
/// `running_mean`, `running_var`, `num_batches_tracked`). `BatchNorm1d` and
/// `BatchNorm2d` add only their `forward`.
public class BatchNorm<Scalar: TensorScalar>: Module<Scalar> {
    public let featureCount: Int
    public let eps: Double
    public let momentum: Double?
    /// γ (ones) and β (zeros); nil when not `affine`.
    public let weight: Parameter<Scalar>?
    public let bias: Parameter<Scalar>?
    /// Running statistics; nil when not `trackRunningStats` (batch statistics are then used in eval too).
    public let runningMean: Buffer<Scalar>?
    public let runningVar: Buffer<Scalar>?
    /// The number of training batches seen (a float tensor holding an integer; PyTorch's int64 buffer).
    public let batchesTracked: Buffer<Scalar>?

    init(layer: String, featureCount: Int, eps: Double, momentum: Double?, affine: Bool, trackRunningStats: Bool) {
        precondition(featureCount > 0, "\(layer): featureCount must be positive")
        (self.featureCount, self.eps, self.momentum) = (featureCount, eps, momentum)
        weight = affine ? Parameter(.ones([featureCount])) : nil
        bias = affine ? Parameter(.zeros([featureCount])) : nil
        runningMean = trackRunningStats ? Buffer(.zeros([featureCount])) : nil
        runningVar = trackRunningStats ? Buffer(.ones([featureCount])) : nil
        batchesTracked = trackRunningStats ? Buffer(Tensor(0)) : nil
        super.init()
    }

    /// True when this layer normalises with (and updates) batch statistics:
    /// in training mode, unless γ and β are both frozen. A frozen batch norm
    /// keeps normalising with its running statistics and leaves them as they
    /// are (Keras's rule for `trainable = false`), so the features a frozen
    /// backbone computes are the ones it was trained with, not ones that
    /// drift with a small fine-tuning set's statistics.
    public var usesBatchStatistics: Bool {
        guard isTraining else { return false }
        guard let weight, let bias else { return true }
        return !(weight.isFrozen && bias.isFrozen)
    }

    public override var ownParameters: [(name: String, parameter: Parameter<Scalar>)] {
        guard let weight, let bias else { return [] }
        return [("weight", weight), ("bias", bias)]
    }

    public override var ownBuffers: [(name: String, buffer: Buffer<Scalar>)] {
        guard let runningMean, let runningVar, let batchesTracked else { return [] }
        return [("running_mean", runningMean), ("running_var", runningVar), ("num_batches_tracked", batchesTracked)]
    }
}
