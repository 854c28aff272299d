/// What one adversarial update measured.
public struct AdversarialLosses: Sendable, Equatable {
    /// The discriminator's loss before its update: BCE(D(x), 1) + BCE(D(G(z)), 0)
    /// (for an AC-GAN, plus both images' class cross-entropies).
    public var discriminator: Double
    /// The generator's non-saturating loss BCE(D(G(z)), 1), through the updated
    /// discriminator (for an AC-GAN, plus the class cross-entropy of G(z)).
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
    /// An AC-GAN (`classes` > 0) draws the real batch's `labels` as the
    /// generated batch's classes (so the classes follow the data's), writes
    /// them into `noise` as its class code, and adds to both losses the
    /// cross-entropy of D's class logits: on real and generated images for
    /// D, on generated ones for G (Odena et al. 2017, L_C).
    ///
    /// `optimizer` must hold `parameterGroups`' parameters; both networks in
    /// training mode. `noise` is [N, L, 1, 1] for the N real images.
    @discardableResult
    public func adversarialStep(real: Tensor<Float>, labels: [Int] = [], noise: Tensor<Float>,
                                optimizer: Optimizer<Float>) -> AdversarialLosses {
        let n = real.shape[0]
        precondition(noise.shape == [n] + latentShape, "adversarialStep: noise must be \([n] + latentShape), got \(noise.shape)")
        precondition(classes == 0 || labels.count == n, "adversarialStep: an AC-GAN needs one label per real image")
        let (isReal, isFake) = (Tensor<Float>.ones([n, 1]), Tensor<Float>.zeros([n, 1]))
        let latents = classCode.map { Tensor(shape: noise.shape, scalars: $0.applying(labels, to: noise.scalars)) } ?? noise
        let fake = generator(latents)
        /// BCE of the source logit against `target`, plus the class cross-entropy when D has a class head.
        func loss(_ out: Tensor<Float>, _ target: Tensor<Float>) -> Tensor<Float> {
            guard classes > 0 else { return binaryCrossEntropyWithLogits(out, target) }
            return binaryCrossEntropyWithLogits(out.slice(axis: 1, 0..<1), target)
                + crossEntropy(logits: out.slice(axis: 1, 1..<(1 + classes)), labels: labels)
        }

        optimizer.zeroGrad()
        let realLogits = discriminator(real)
        let fakeLogits = discriminator(fake.detached())
        let discriminatorLoss = loss(realLogits, isReal) + loss(fakeLogits, isFake)
        discriminatorLoss.backward()
        optimizer.step()

        optimizer.zeroGrad()
        let generatorLoss = loss(discriminator(fake), isReal)
        generatorLoss.backward()
        discriminator.zeroGrad()
        optimizer.step()

        let sources = 1 + classes
        func said(_ logits: Tensor<Float>, real: Bool) -> Int {
            stride(from: 0, to: logits.count, by: sources).filter { (logits.scalars[$0] > 0) == real }.count
        }
        return AdversarialLosses(discriminator: Double(discriminatorLoss.item()), generator: Double(generatorLoss.item()),
                                 discriminatorAccuracy: Double(said(realLogits, real: true) + said(fakeLogits, real: false)) / Double(2 * n))
    }
}
