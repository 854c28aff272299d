/// What one adversarial update measured.
public struct AdversarialLosses: Sendable, Equatable {
    /// The discriminator's loss before its update: BCE(D(x), 1) + BCE(D(G(z)), 0).
    public var discriminator: Double
    /// The generator's non-saturating loss BCE(D(G(z)), 1), through the updated discriminator.
    public var generator: Double
    /// Of the 2N images, the fraction the discriminator put on the right side
    /// (logit > 0 for real, < 0 for generated), before its update.
    public var discriminatorAccuracy: Double
}

extension DCGAN where Scalar == Float {
    /// The optimizer's parameter groups: group 0 the generator, group 1 the
    /// discriminator. One Adam over both groups is exactly two Adams (its
    /// state is per parameter), and one `OptimizerState` holds both.
    public var parameterGroups: [ParameterGroup<Float>] {
        [ParameterGroup(generator.parameters()), ParameterGroup(discriminator.parameters())]
    }

    /// One update of each network (Goodfellow et al. 2014, Algorithm 1 with
    /// k = 1 and the non-saturating generator loss, as Radford et al. and
    /// PyTorch's DCGAN example train):
    ///
    /// 1. G(z) once; D's loss on the real batch and on G(z) detached, each
    ///    batch through D on its own (own batch-norm statistics); D steps.
    /// 2. G's loss on D(G(z)) with the updated D; the gradient reaching D's
    ///    parameters is dropped, so only G steps.
    ///
    /// `optimizer` must hold `parameterGroups`' parameters; both networks in
    /// training mode. `noise` is [N, L, 1, 1] for the N real images.
    @discardableResult
    public func adversarialStep(real: Tensor<Float>, noise: Tensor<Float>, optimizer: Optimizer<Float>) -> AdversarialLosses {
        let n = real.shape[0]
        precondition(noise.shape == [n] + latentShape, "adversarialStep: noise must be \([n] + latentShape), got \(noise.shape)")
        let (isReal, isFake) = (Tensor<Float>.ones([n, 1]), Tensor<Float>.zeros([n, 1]))
        let fake = generator(noise)

        optimizer.zeroGrad()
        let realLogits = discriminator(real)
        let fakeLogits = discriminator(fake.detached())
        let discriminatorLoss = binaryCrossEntropyWithLogits(realLogits, isReal) + binaryCrossEntropyWithLogits(fakeLogits, isFake)
        discriminatorLoss.backward()
        optimizer.step()

        optimizer.zeroGrad()
        let generatorLoss = binaryCrossEntropyWithLogits(discriminator(fake), isReal)
        generatorLoss.backward()
        discriminator.zeroGrad()
        optimizer.step()

        let right = realLogits.scalars.filter { $0 > 0 }.count + fakeLogits.scalars.filter { $0 < 0 }.count
        return AdversarialLosses(discriminator: Double(discriminatorLoss.item()), generator: Double(generatorLoss.item()),
                                 discriminatorAccuracy: Double(right) / Double(2 * n))
    }
}
