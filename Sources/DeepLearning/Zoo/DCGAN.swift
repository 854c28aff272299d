import DLSupport

/// A DCGAN (Radford, Metz & Chintala 2015) sized for small square images
/// (28 x 28 MNIST by default): the generator and the discriminator as one
/// module, so that one state dict (`generator.*`, `discriminator.*`) and
/// one optimizer with a parameter group per network (group 0 the
/// generator's, group 1 the discriminator's) make a checkpoint.
///
/// With image side `s = 4·b` and `width` w:
///
///     generator      z [N, L, 1, 1]
///                    -> ConvT(L, 2w, b, stride 1)   BN ReLU   [N, 2w, b, b]
///                    -> ConvT(2w, w, 4, stride 2, pad 1) BN ReLU  [N, w, 2b, 2b]
///                    -> ConvT(w, C, 4, stride 2, pad 1) tanh  [N, C, s, s]
///     discriminator  x [N, C, s, s]
///                    -> Conv(C, w, 4, stride 2, pad 1) LeakyReLU(0.2)
///                    -> Conv(w, 2w, 4, stride 2, pad 1) BN LeakyReLU(0.2)
///                    -> Conv(2w, 1 + K, b) -> flatten: one logit per image [N, 1]
///                       (and, for an AC-GAN, K class logits: [N, 1 + K])
///
/// The paper's choices: strided (transposed) convolutions instead of
/// pooling, batch norm in both nets except the generator's output and the
/// discriminator's input, ReLU in G, LeakyReLU 0.2 in D, tanh output (data
/// scaled to [-1, 1]); convolutions without bias (a batch norm follows, or
/// it is the output); weights N(0, 0.02), batch-norm scales N(1, 0.02),
/// shifts 0. `forward` is the sampler: latent in, image out.
///
/// With `averaged`, the module also holds an exponential moving average of
/// the generator (`averaged.*`, frozen: no optimizer touches it), updated
/// after every step by `updateAverage` and used wherever images are made:
/// GAN samples oscillate with the adversarial game from step to step, and
/// the average of recent generators draws cleaner digits than any one of
/// them (Yazıcı et al. 2019).
///
/// With `classes` K > 0 it is an AC-GAN (Odena, Olah & Shlens 2017): the
/// latent's last K values are a one-hot class code (`LatentClassCode`), and
/// the discriminator's last convolution has K more output channels, an
/// auxiliary classifier that must name the class of real and generated
/// images alike, so the generator learns to draw the class it is asked for.
public final class DCGAN<Scalar: TensorScalar>: Module<Scalar> {
    public let generator: NamedSequential<Scalar>
    public let discriminator: NamedSequential<Scalar>
    /// The moving average of `generator`, when the run keeps one.
    public let averaged: NamedSequential<Scalar>?
    /// L: the latent vector's length.
    public let latentSize: Int
    /// [C, H, W] of the images.
    public let imageShape: [Int]
    /// K, the classes of an AC-GAN's code; 0 for the unconditional DCGAN.
    public let classes: Int
    /// w, the base width: the generator's layers have 2w and w channels, the discriminator's w and 2w.
    public let width: Int
    /// The paper's MNIST width; `dltrain --width` changes it.
    public static var defaultWidth: Int { 64 }

    public init(generator: NamedSequential<Scalar>, discriminator: NamedSequential<Scalar>,
                averaged: NamedSequential<Scalar>? = nil, latentSize: Int, imageShape: [Int], width: Int, classes: Int = 0) {
        self.generator = generator
        self.discriminator = discriminator
        self.averaged = averaged
        self.latentSize = latentSize
        self.imageShape = imageShape
        self.classes = classes
        self.width = width
        super.init()
    }

    public override var children: [(name: String, module: Module<Scalar>)] {
        [("generator", generator), ("discriminator", discriminator)] + (averaged.map { [("averaged", $0)] } ?? [])
    }

    /// The network that makes the images: the average when kept, else the generator.
    public var sampler: NamedSequential<Scalar> { averaged ?? generator }

    /// The sampler: [N, L, 1, 1] latents to [N, C, H, W] images in [-1, 1].
    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { sampler(input) }

    /// The networks as built, e.g. "z 100 -> 128x7x7 -> 64x14x14 -> 1x28x28 tanh (width 64); mirrored discriminator".
    public var summary: String {
        let (c, side) = (imageShape[0], imageShape[1])
        let b = side / 4
        return "DCGAN (Radford et al. 2015): z \(latentSize) -> \(2 * width)x\(b)x\(b) -> \(width)x\(2 * b)x\(2 * b) -> \(c)x\(side)x\(side) tanh "
            + "(width \(width)); mirrored discriminator" + (classes > 0 ? " with \(classes) class logits (AC-GAN: the latent's last \(classes) values a class code)" : "")
    }

    /// The generator's input shape without the batch axis.
    public var latentShape: [Int] { [latentSize, 1, 1] }

    /// Where an AC-GAN's class code sits in the latent; nil for the unconditional DCGAN.
    public var classCode: LatentClassCode? { classes > 0 ? LatentClassCode(classes: classes, latentSize: latentSize) : nil }

    /// Builds the networks above for `imageShape` ([C, s, s], s a multiple of
    /// 4); with `averaged`, also the generator's average, starting as a copy
    /// of it (drawing nothing from `g`, so both runs start from the same weights);
    /// with `classes` K > 0, the AC-GAN above.
    public static func make<G: RandomNumberGenerator>(imageShape: [Int] = [1, 28, 28], latentSize: Int = 100,
                                                      width: Int = defaultWidth, averaged: Bool = false, classes: Int = 0,
                                                      using g: inout G) throws -> DCGAN {
        try Z.checkChannels(imageShape, model: "dcgan")
        let (c, side) = (imageShape[0], imageShape[1])
        guard imageShape[2] == side, side % 4 == 0, side >= 8 else {
            throw ZooError.badInputShape(model: "dcgan", shape: imageShape, reason: "images must be square with a side that is a multiple of 4 (at least 8)")
        }
        guard latentSize > 0, width > 0 else {
            throw ZooError.badConfiguration(model: "dcgan", reason: "latent size \(latentSize) and width \(width) must be positive")
        }
        guard classes >= 0, classes < latentSize else {
            throw ZooError.badConfiguration(model: "dcgan", reason: "\(classes) classes do not fit a class code into a latent of \(latentSize)")
        }
        let base = side / 4
        let generator = makeGenerator(latentSize: latentSize, width: width, channels: c, base: base, &g)
        let discriminator = NamedSequential<Scalar>(
            ("conv1", down(c, width, 4, stride: 2, padding: 1, &g)), ("lrelu1", LeakyReLU<Scalar>(negativeSlope: 0.2)),
            ("conv2", down(width, 2 * width, 4, stride: 2, padding: 1, &g)), ("bn2", norm(2 * width, &g)),
            ("lrelu2", LeakyReLU<Scalar>(negativeSlope: 0.2)),
            ("score", down(2 * width, 1 + classes, base, stride: 1, padding: 0, &g)), ("flatten", Flatten<Scalar>()))
        var average: NamedSequential<Scalar>?
        if averaged {
            var skip = SkipInitialization()
            // Cumulative batch-norm statistics: `recalibrateAverage` measures them afresh.
            let copy = makeGenerator(latentSize: latentSize, width: width, channels: c, base: base, normMomentum: nil, &skip)
            try copy.load(generator.stateDict())
            copy.freeze()
            average = copy
        }
        return DCGAN(generator: generator, discriminator: discriminator, averaged: average, latentSize: latentSize,
                     imageShape: imageShape, width: width, classes: classes)
    }

    static func makeGenerator<G: RandomNumberGenerator>(latentSize: Int, width: Int, channels c: Int, base: Int,
                                                        normMomentum: Double? = 0.1, _ g: inout G) -> NamedSequential<Scalar> {
        NamedSequential<Scalar>(
            ("project", up(latentSize, 2 * width, base, stride: 1, padding: 0, &g)),
            ("bn1", norm(2 * width, momentum: normMomentum, &g)), ("relu1", ReLU<Scalar>()),
            ("up1", up(2 * width, width, 4, stride: 2, padding: 1, &g)), ("bn2", norm(width, momentum: normMomentum, &g)),
            ("relu2", ReLU<Scalar>()),
            ("up2", up(width, c, 4, stride: 2, padding: 1, &g)), ("tanh", Tanh<Scalar>()))
    }

    // MARK: - the paper's initialisation

    static func normal<G: RandomNumberGenerator>(_ shape: [Int], mean: Scalar, _ g: inout G) -> Tensor<Scalar> {
        if G.self == SkipInitialization.self { return Tensor(repeating: mean, shape: shape) }
        return .randomNormal(shape, mean: mean, standardDeviation: Scalar(0.02), using: &g)
    }

    static func up<G: RandomNumberGenerator>(_ i: Int, _ o: Int, _ k: Int, stride: Int, padding: Int,
                                             _ g: inout G) -> ConvTranspose2d<Scalar> {
        ConvTranspose2d(weight: normal([i, o, k, k], mean: 0, &g), stride: Size2d(stride, stride),
                        padding: Padding2d(padding, padding))
    }

    static func down<G: RandomNumberGenerator>(_ i: Int, _ o: Int, _ k: Int, stride: Int, padding: Int,
                                               _ g: inout G) -> Conv2d<Scalar> {
        Conv2d(weight: normal([o, i, k, k], mean: 0, &g), stride: Size2d(stride, stride), padding: Padding2d(padding, padding))
    }

    static func norm<G: RandomNumberGenerator>(_ channels: Int, momentum: Double? = 0.1, _ g: inout G) -> BatchNorm2d<Scalar> {
        let bn = BatchNorm2d<Scalar>(channels, momentum: momentum)
        bn.weight!.assign(normal([channels], mean: 1, &g))
        return bn
    }
}
