/// The generative models `dltrain` trains (`GenerativeTrainer`): kept apart
/// from `ModelZoo`, whose entries are all classifiers (class count, logits,
/// accuracy), so that every tool iterating the classifier zoo stays right.
public enum GenerativeZoo {
    public enum Objective: String, Sendable {
        /// A generator and a discriminator trained against each other (`DCGAN`).
        case adversarial
        /// An image rebuilt from itself through a bottleneck, mean squared error (`ConvAutoencoder`).
        case reconstruction
    }

    public struct Entry: Sendable {
        public let name: String
        public let objective: Objective
        /// [C, H, W] of the training images.
        public let defaultImageShape: [Int]
        public let summary: String
        /// Pixels become `[lo, hi]` before the model sees them: the generator's tanh range, the autoencoder's sigmoid range.
        public let pixelRange: ClosedRange<Float>
    }

    public static let entries: [Entry] = [
        Entry(name: "dcgan", objective: .adversarial, defaultImageShape: [1, 28, 28],
              summary: "DCGAN (Radford et al. 2015): z 100 -> 128x7x7 -> 64x14x14 -> 1x28x28 tanh (width 64); mirrored discriminator",
              pixelRange: -1...1),
        Entry(name: "autoencoder", objective: .reconstruction, defaultImageShape: [1, 28, 28],
              summary: "convolutional autoencoder: 1x28x28 -> 4x7x7 code -> 1x28x28 sigmoid",
              pixelRange: 0...1),
    ]

    public static var names: [String] { entries.map(\.name) }

    public static func entry(_ name: String) -> Entry? { entries.first { $0.name == name } }

    /// The architecture description a checkpoint records for `name` on images
    /// of `imageShape`; a dcgan records its `width`, when it keeps an
    /// average of its generator its decay (`average_decay`), and when it is
    /// an AC-GAN its classes (`conditional_classes`, `class_names`).
    public static func architecture(_ name: String, imageShape: [Int], width: Int = DCGAN<Float>.defaultWidth,
                                    averageDecay: Double? = nil, classNames: [String] = []) -> ArchitectureDescription {
        var description = ArchitectureDescription(name: name, config: ["image_shape": .ints(imageShape)])
        if name == "dcgan" {
            description["latent_size"] = .int(100)
            description["width"] = .int(width)
            if let averageDecay { description["average_decay"] = .double(averageDecay) }
            if !classNames.isEmpty {
                description["conditional_classes"] = .int(classNames.count)
                description["class_names"] = .strings(classNames)
            }
        } else {
            description["code"] = .int(4)
        }
        return description
    }

    /// The model `architecture` describes, initialised from `seed` (or all
    /// zero without `initialize`, before loading a checkpoint).
    public static func make(_ architecture: ArchitectureDescription, seed: UInt64 = 0,
                            initialize: Bool = true) throws -> Module<Float> {
        if initialize {
            var g = SplitMix64(seed: seed)
            return try build(architecture, &g)
        }
        var g = SkipInitialization()
        return try build(architecture, &g)
    }

    static func build<G: RandomNumberGenerator>(_ architecture: ArchitectureDescription, _ g: inout G) throws -> Module<Float> {
        guard let entry = entry(architecture.name) else {
            throw ZooError.unknownModel(architecture.name, known: names)
        }
        var imageShape = entry.defaultImageShape
        if case .ints(let shape)? = architecture["image_shape"] { imageShape = shape }
        switch entry.objective {
        case .adversarial:
            return try DCGAN<Float>.make(imageShape: imageShape, latentSize: architecture.int("latent_size") ?? 100,
                                         width: architecture.int("width") ?? DCGAN<Float>.defaultWidth,
                                         averaged: architecture.averageDecay != nil,
                                         classes: architecture.int("conditional_classes") ?? 0, using: &g)
        case .reconstruction:
            return try ConvAutoencoder<Float>.make(imageShape: imageShape, code: architecture.int("code") ?? 4, using: &g)
        }
    }
}

extension ArchitectureDescription {
    /// An AC-GAN's class names (`conditional_classes` of them); empty for an unconditional dcgan.
    public var conditionalClassNames: [String] {
        guard let count = int("conditional_classes"), count > 0 else { return [] }
        if case .strings(let names)? = self["class_names"], names.count == count { return names }
        return (0..<count).map(String.init)
    }

    /// A dcgan's generator-average decay, when it keeps one.
    public var averageDecay: Double? {
        if case .double(let decay)? = self["average_decay"] { return decay }
        return nil
    }
}
