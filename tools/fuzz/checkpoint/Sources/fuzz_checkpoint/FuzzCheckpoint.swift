// libFuzzer target: the checkpoint reader, then what dltrain --resume and dlexport do with what it
// read: rebuild the model its architecture names and restore the weights strictly (with the optimizer
// and schedule state when there is some), parse the recipe, check the input contract, and re-encode:
// whatever the reader accepts must encode and decode back to an equal checkpoint.
//   make fuzz-checkpoint && build-fuzz/fuzz_checkpoint -max_total_time=60 build-fuzz/corpus-checkpoint
// With DLRT_FUZZ_CHECKPOINT_SEEDS=DIR set, the binary writes its seed checkpoints into DIR and exits.
import DeepLearning
import DLSupport

#if canImport(Glibc)
import Glibc
#endif

@_cdecl("LLVMFuzzerInitialize")
public func fuzzerInitialize(_ argc: UnsafeMutablePointer<Int32>,
                             _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>) -> Int32 {
    if let directory = getenv("DLRT_FUZZ_CHECKPOINT_SEEDS") {
        do {
            try Seeds.write(to: String(cString: directory))
        } catch {
            print("fuzz_checkpoint: cannot write the seeds: \(error)")
            exit(1)
        }
        exit(0)
    }
    return 0
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = size == 0 ? [] : [UInt8](UnsafeBufferPointer(start: data, count: size))
    exercise(bytes)
    // Mutations that break a CRC stop at the check; the same bytes with the CRCs repaired reach the parser.
    var repaired = bytes
    if CRCRepair.repair(&repaired), repaired != bytes { exercise(repaired) }
    return 0
}

func exercise(_ bytes: [UInt8]) {
    guard let checkpoint = try? Checkpoint(decoding: bytes) else { return }
    let encoded: [UInt8]
    do {
        encoded = try checkpoint.encoded()
    } catch {
        fatalError("the reader accepted a checkpoint the writer refuses: \(error)")
    }
    guard let again = try? Checkpoint(decoding: encoded), again == checkpoint else {
        fatalError("a checkpoint re-encoded does not decode back to itself")
    }
    _ = TrainingSettings.parseRecipe(checkpoint.recipe)
    _ = checkpoint.input?.problem
    guard let model = try? Rebuild.model(checkpoint.architecture) else { return }
    let optimizer = Rebuild.optimizer(checkpoint, model: model)
    let schedule = optimizer.flatMap { Rebuild.schedule(checkpoint, optimizer: $0) }
    _ = try? checkpoint.restore(model: model, optimizer: optimizer, schedule: schedule)
}

/// Builds the model an architecture names, as dlexport's ModelExporter.rebuild, GeneratorExporter
/// and LanguageModelExporter do, unless it is valid but too big for a fuzzer (each input may build
/// one): the numbers an architecture gives are capped, and the zoo models that are large at any
/// input size (ImageNet-sized) are skipped. Negative and zero sizes go through: the zoo must refuse them.
enum Rebuild {
    static let maxClasses = 1000
    static let maxInputElements = 3 * 64 * 64
    static let maxSide = 256

    static func model(_ a: ArchitectureDescription) throws -> Module<Float>? {
        if GenerativeZoo.entry(a.name) != nil {
            guard shapeFits(a["image_shape"], maxElements: 64 * 64), intFits(a, "latent_size", 256), intFits(a, "width", 128),
                  intFits(a, "code", 64) else { return nil }
            return try GenerativeZoo.make(a, initialize: false)
        }
        if a.name == CharLSTMRecipe.modelName {
            guard intFits(a, "embedding_size", 256), intFits(a, "hidden_size", 256), intFits(a, "layer_count", 4) else { return nil }
            if case .strings(let symbols)? = a["vocabulary"], symbols.count > 1024 { return nil }
            let (recipe, vocabulary) = try CharLSTMRecipe.read(a)
            var g = SkipInitialization()
            return recipe.model(vocabularySize: vocabulary.count, using: &g)
        }
        let entry = try ModelZoo.entry(a.name)
        guard entry.defaultInputShape.last ?? 0 <= 32, intFits(a, "classes", maxClasses),
              shapeFits(a["input_shape"], maxElements: maxInputElements) else { return nil }
        var inputShape = entry.defaultInputShape
        if case .ints(let shape)? = a["input_shape"] { inputShape = shape }
        return try ModelZoo.make(entry.name, classes: a.int("classes"), inputShape: inputShape, initialize: false)
    }

    static func intFits(_ a: ArchitectureDescription, _ key: String, _ cap: Int) -> Bool {
        (a.int(key) ?? 0) <= cap
    }

    static func shapeFits(_ value: ArchitectureDescription.Value?, maxElements: Int) -> Bool {
        guard case .ints(let shape)? = value else { return true }
        guard shape.count <= 4, shape.allSatisfy({ $0 <= maxSide }) else { return false }
        return shape.reduce(1) { $0 * max($1, 1) } <= maxElements
    }

    /// The optimizer the recipe names (dltrain's choice), over the model's parameters.
    static func optimizer(_ c: Checkpoint, model: Module<Float>) -> Optimizer<Float>? {
        guard c.optimizer != nil else { return nil }
        let group = [ParameterGroup(model.parameters())]
        switch TrainingSettings.parseRecipe(c.recipe)?["optimizer"] {
        case "adam": return Adam(groups: group, learningRate: 0.001)
        case "adamw": return AdamW(groups: group, learningRate: 0.001)
        default: return SGD(groups: group, learningRate: 0.1, momentum: 0.9)
        }
    }

    static func schedule(_ c: Checkpoint, optimizer: Optimizer<Float>) -> (any LearningRateSchedule)? {
        c.schedule == nil ? nil : StepLR(optimizer: optimizer, stepSize: 1, gamma: 0.1)
    }
}

/// Rewrites the file size, the header CRC and every section's CRC (docs/CHECKPOINT.md), stopping at
/// the first section whose length runs past the end. False when the bytes are too short for a header.
enum CRCRepair {
    static func repair(_ bytes: inout [UInt8]) -> Bool {
        let headerSize = 32, sectionHeaderSize = 16
        guard bytes.count >= headerSize else { return false }
        store(UInt64(bytes.count), at: 16, in: &bytes)
        store(UInt32(0), at: 28, in: &bytes)
        store(crc(bytes, 0, headerSize), at: 28, in: &bytes)
        var position = headerSize
        while bytes.count - position >= sectionHeaderSize + 4 {
            let length = load(UInt64.self, at: position + 8, in: bytes)
            guard length <= UInt64(bytes.count - position - sectionHeaderSize - 4) else { break }
            let end = position + sectionHeaderSize + Int(length)
            store(crc(bytes, position, end), at: end, in: &bytes)
            position = end + 4
        }
        return true
    }

    static func crc(_ bytes: [UInt8], _ start: Int, _ end: Int) -> UInt32 {
        bytes.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[start..<end])) }
    }

    static func load<T: FixedWidthInteger>(_: T.Type, at offset: Int, in bytes: [UInt8]) -> T {
        bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
    }

    static func store<T: FixedWidthInteger>(_ value: T, at offset: Int, in bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { $0.storeBytes(of: value.littleEndian, toByteOffset: offset, as: T.self) }
    }
}
