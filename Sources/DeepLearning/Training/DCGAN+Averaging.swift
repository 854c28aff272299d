extension DCGAN where Scalar == Float {
    /// The decay the average uses after `updates` updates: `decay`, but no
    /// more than `(1 + t) / (10 + t)` early on, so that the starting copy of
    /// the untrained generator is forgotten within the first few hundred
    /// steps instead of weighing on a whole run (TensorFlow's
    /// `ExponentialMovingAverage` with `num_updates`).
    public static func averageDecay(_ decay: Float, updates: Int) -> Float {
        min(decay, Float(1 + updates) / Float(10 + updates))
    }

    /// One step of the moving average after the generator's update `updates`
    /// (counted from 0): each parameter `a ← a + (1 − d)(g − a)` with `d =
    /// averageDecay(decay, updates:)`. The batch-norm statistics are left to
    /// `recalibrateAverage`. No-op without `averaged`.
    public func updateAverage(decay: Float, updates: Int) {
        guard let averaged else { return }
        let d = Self.averageDecay(decay, updates: updates), keep = 1 - d
        for ((_, average), (_, current)) in zip(averaged.namedParameters(), generator.namedParameters()) {
            let a = average.value.scalars, g = current.value.scalars
            var mixed = [Float](repeating: 0, count: a.count)
            for i in a.indices { mixed[i] = a[i] + keep * (g[i] - a[i]) }
            average.assign(Tensor(shape: average.shape, scalars: mixed))
        }
    }

    /// Measures the average's batch-norm statistics afresh on `latents`
    /// (batches [N, L, 1, 1]), as cumulative averages of its own batch
    /// statistics (SWA's `update_bn`): the generator's running statistics
    /// describe the generator's activations, not the average's, and normalising
    /// the average with them costs it much of what averaging gains. No-op
    /// without `averaged`.
    public func recalibrateAverage(latents: [Tensor<Float>]) {
        guard let averaged else { return }
        for case let norm as BatchNorm<Float> in averaged.namedModules().map(\.module) {
            norm.runningMean?.value = .zeros([norm.featureCount])
            norm.runningVar?.value = .ones([norm.featureCount])
            norm.batchesTracked?.value = Tensor(0)
        }
        // A frozen batch norm keeps its running statistics; these must follow the batches.
        let wasTraining = averaged.isTraining
        averaged.unfreeze()
        averaged.train()
        defer {
            averaged.freeze()
            averaged.train(wasTraining)
        }
        withNoGrad {
            for z in latents { _ = averaged(z) }
        }
    }
}
