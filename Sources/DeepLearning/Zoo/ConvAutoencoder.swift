/// A convolutional autoencoder for small square images (28 x 28 MNIST by
/// default): the image squeezed through a `code`-channel map at a quarter
/// of its side and rebuilt by transposed convolutions. With side s = 4·b:
///
///     encoder  x [N, C, s, s] -> Conv(C, 32, 4, stride 2, pad 1) ReLU
///                             -> Conv(32, 64, 4, stride 2, pad 1) ReLU
///                             -> Conv(64, code, 1)                 [N, code, b, b]
///     decoder  -> ConvT(code, 64, 1) ReLU
///              -> ConvT(64, 32, 4, stride 2, pad 1) ReLU
///              -> ConvT(32, C, 4, stride 2, pad 1) sigmoid          [N, C, s, s] in (0, 1)
///
/// At 28 x 28 and code 4 the bottleneck holds 196 numbers for 784 pixels.
/// Trained on pixels in [0, 1] with the mean squared error; PyTorch's
/// default initialisation (`Conv2d`, `ConvTranspose2d`).
public final class ConvAutoencoder<Scalar: TensorScalar>: Module<Scalar> {
    public let encoder: NamedSequential<Scalar>
    public let decoder: NamedSequential<Scalar>

    public init(encoder: NamedSequential<Scalar>, decoder: NamedSequential<Scalar>) {
        self.encoder = encoder
        self.decoder = decoder
        super.init()
    }

    public override var children: [(name: String, module: Module<Scalar>)] {
        [("encoder", encoder), ("decoder", decoder)]
    }

    public override func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> { decoder(encoder(input)) }

    public static func make<G: RandomNumberGenerator>(imageShape: [Int] = [1, 28, 28], code: Int = 4,
                                                      using g: inout G) throws -> ConvAutoencoder {
        try Z.checkChannels(imageShape, model: "autoencoder")
        let (c, side) = (imageShape[0], imageShape[1])
        guard imageShape[2] == side, side % 4 == 0 else {
            throw ZooError.badInputShape(model: "autoencoder", shape: imageShape, reason: "images must be square with a side that is a multiple of 4")
        }
        guard code > 0 else {
            throw ZooError.badConfiguration(model: "autoencoder", reason: "code channels \(code) must be positive")
        }
        let encoder = NamedSequential<Scalar>(
            ("conv1", Z.conv(c, 32, 4, stride: 2, padding: 1, &g) as Conv2d<Scalar>), ("relu1", ReLU<Scalar>()),
            ("conv2", Z.conv(32, 64, 4, stride: 2, padding: 1, &g) as Conv2d<Scalar>), ("relu2", ReLU<Scalar>()),
            ("code", Z.conv(64, code, 1, &g) as Conv2d<Scalar>))
        let decoder = NamedSequential<Scalar>(
            ("expand", up(code, 64, 1, stride: 1, padding: 0, &g)), ("relu1", ReLU<Scalar>()),
            ("up1", up(64, 32, 4, stride: 2, padding: 1, &g)), ("relu2", ReLU<Scalar>()),
            ("up2", up(32, c, 4, stride: 2, padding: 1, &g)), ("sigmoid", Sigmoid<Scalar>()))
        return ConvAutoencoder(encoder: encoder, decoder: decoder)
    }

    static func up<G: RandomNumberGenerator>(_ i: Int, _ o: Int, _ k: Int, stride: Int, padding: Int,
                                             _ g: inout G) -> ConvTranspose2d<Scalar> {
        let (stride, padding) = (Size2d(stride, stride), Padding2d(padding, padding))
        if G.self == SkipInitialization.self {
            return ConvTranspose2d(weight: .zeros([i, o, k, k]), bias: .zeros([o]), stride: stride, padding: padding)
        }
        return ConvTranspose2d(i, o, kernelSize: Size2d(k, k), stride: stride, padding: padding, using: &g)
    }
}
