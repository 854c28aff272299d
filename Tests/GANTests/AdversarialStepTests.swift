import Foundation
import Testing
@testable import DeepLearning

@Suite struct AdversarialStepTests {
    static func tinyGAN(seed: UInt64 = 1) throws -> DCGAN<Float> {
        var g = SplitMix64(seed: seed)
        return try DCGAN<Float>.make(imageShape: [1, 8, 8], latentSize: 8, width: 8, using: &g)
    }

    static func noise(_ n: Int, _ gan: DCGAN<Float>, seed: UInt64) -> Tensor<Float> {
        var g = SplitMix64(seed: seed)
        return .randomNormal([n] + gan.latentShape, using: &g)
    }

    /// A batch of one fixed 8x8 picture (a bright bar on black), in [-1, 1].
    static func target(_ n: Int) -> Tensor<Float> {
        var one = [Float](repeating: -1, count: 64)
        for y in 0..<8 { one[y * 8 + 3] = 1 }
        return Tensor(shape: [n, 1, 8, 8], scalars: Array((0..<n).map { _ in one }.joined()))
    }

    @Test func shapesAndTheGeneratorsRange() throws {
        let gan = try Self.tinyGAN()
        let images = withNoGrad { gan(Self.noise(5, gan, seed: 2)) }
        #expect(images.shape == [5, 1, 8, 8])
        #expect(images.scalars.allSatisfy { $0 > -1 && $0 < 1 }, "tanh output")
        #expect(withNoGrad { gan.discriminator(images) }.shape == [5, 1])
        let full = try GenerativeZoo.make(GenerativeZoo.architecture("dcgan", imageShape: [1, 28, 28]))
        #expect(withNoGrad { full(Tensor<Float>.zeros([2, 100, 1, 1])) }.shape == [2, 1, 28, 28])
    }

    /// Weights N(0, 0.02) make the discriminator's logits tiny at first, so
    /// BCE(D(x), 1) + BCE(D(G(z)), 0) ≈ 2 ln 2 and BCE(D(G(z)), 1) ≈ ln 2.
    @Test func firstLossesAreThoseOfAnUndecidedDiscriminator() throws {
        let gan = try Self.tinyGAN()
        let optimizer = Adam(groups: gan.parameterGroups, learningRate: 2e-4, betas: (0.5, 0.999))
        let losses = gan.adversarialStep(real: Self.target(16), noise: Self.noise(16, gan, seed: 3), optimizer: optimizer)
        #expect(abs(losses.discriminator - 2 * log(2.0)) < 0.05, "D loss \(losses.discriminator)")
        #expect(abs(losses.generator - log(2.0)) < 0.05, "G loss \(losses.generator)")
    }

    /// One Adam over two groups must update exactly as two separate Adams
    /// would, the discriminator on its loss, then the generator on its own,
    /// written out here step by step as in PyTorch's DCGAN example.
    @Test func oneStepEqualsTwoSeparateOptimizers() throws {
        let (a, b) = (try Self.tinyGAN(seed: 4), try Self.tinyGAN(seed: 4))
        let real = Self.target(8)
        let adam = Adam(groups: a.parameterGroups, learningRate: 1e-3, betas: (0.5, 0.999))
        let adamG = Adam(b.generator.parameters(), learningRate: 1e-3, betas: (0.5, 0.999))
        let adamD = Adam(b.discriminator.parameters(), learningRate: 1e-3, betas: (0.5, 0.999))
        // One private pool for both: on the shared pool a kernel runs serially whenever another
        // test holds it, and serial and threaded sums differ in the last bit.
        ComputePool.Private(threads: 2).run {
            for step in 0..<3 {
                let z = Self.noise(8, a, seed: UInt64(10 + step))
                a.adversarialStep(real: real, noise: z, optimizer: adam)

                let fake = b.generator(z)
                adamD.zeroGrad()
                let d = binaryCrossEntropyWithLogits(b.discriminator(real), .ones([8, 1]))
                    + binaryCrossEntropyWithLogits(b.discriminator(fake.detached()), .zeros([8, 1]))
                d.backward()
                adamD.step()
                adamG.zeroGrad()
                binaryCrossEntropyWithLogits(b.discriminator(fake), .ones([8, 1])).backward()
                adamG.step()
            }
        }
        let (sa, sb) = (a.stateDict(), b.stateDict())
        #expect(sa.keys == sb.keys)
        for (key, tensor) in sa {
            #expect(tensor.scalars.map(\.bitPattern) == sb[key]!.scalars.map(\.bitPattern), "\(key) differs")
        }
    }

    /// Trained against a discriminator on a one-picture data set, the
    /// generator must learn to draw that picture: the fraction of pixels on
    /// the target's side of 0 goes from chance to nearly all.
    @Test func theGeneratorLearnsATinyDataSet() throws {
        let gan = try Self.tinyGAN(seed: 5)
        let optimizer = Adam(groups: gan.parameterGroups, learningRate: 2e-3, betas: (0.5, 0.999))
        let real = Self.target(16)
        func agreement() -> Double {
            let fake = withNoGrad { gan(Self.noise(16, gan, seed: 77)) }
            return Double(zip(fake.scalars, real.scalars).filter { ($0 > 0) == ($1 > 0) }.count) / Double(real.count)
        }
        let before = agreement()
        var losses: [AdversarialLosses] = []
        for step in 0..<40 {
            losses.append(gan.adversarialStep(real: real, noise: Self.noise(16, gan, seed: UInt64(step)), optimizer: optimizer))
        }
        let after = agreement()
        #expect(before < 0.8 && after > 0.95, "pixels on the target's side: \(before) -> \(after)")
        #expect(losses.allSatisfy { $0.discriminator.isFinite && $0.generator.isFinite })
        // The discriminator learns to tell at once (its loss falls below 2 ln 2), before the generator catches up.
        #expect(losses[1..<6].map(\.discriminator).min()! < losses[0].discriminator)
    }
}
