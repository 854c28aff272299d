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
    /// averageDecay(decay, updates:)`, and the batch-norm statistics copied
    /// (they already average over batches). No-op without `averaged`.
    public func updateAverage(decay: Float, updates: Int) {
        guard let averaged else { return }
        let d = Self.averageDecay(decay, updates: updates), keep = 1 - d
        for ((_, average), (_, current)) in zip(averaged.namedParameters(), generator.namedParameters()) {
            let a = average.value.scalars, g = current.value.scalars
            var mixed = [Float](repeating: 0, count: a.count)
            for i in a.indices { mixed[i] = a[i] + keep * (g[i] - a[i]) }
            average.assign(Tensor(shape: average.shape, scalars: mixed))
        }
        for ((_, average), (_, current)) in zip(averaged.namedBuffers(), generator.namedBuffers()) {
            average.value = current.value
        }
    }
}
