import DeepLearning

/// Which nodes of a lowered fp32 graph compute in int8, and why each other
/// one does not. Decided in three steps:
///
/// 1. `init`: the node needs an int8 kernel (op and fused activation), must
///    not be named by `keepFP32`, must not be a layer the runtime measurably
///    runs slower in int8 on this ISA (`Int8SlowdownRule`), and a conv2d or
///    dense needs a bias inside the int32 accumulator bound.
/// 2. `dropLowSQNR`: a layer whose isolated int8 error is under the SQNR threshold.
/// 3. `dropFP32Fed`: a node without weights whose input stays f32 (pooling,
///    add, concat, relu, flatten, reshape) runs in fp32 too: quantizing just
///    for it would cost more than it saves.
///
/// Layers in `forced` skip the slowdown rule, the SQNR threshold and step 3;
/// a forced layer that has no int8 kernel is an error.
struct Int8LayerPlan {
    private(set) var int8: Set<Int> = []
    private(set) var reasons: [Int: String] = [:]
    private(set) var forced: Set<Int> = []

    init(_ file: ModelFile, quantizations: [Int: ActivationQuantization], options: QuantizationOptions, isa: String) throws {
        let names = file.nodes.map { file.tensors[$0.outputs[0].index].name }
        for name in options.keepFP32.union(options.forceInt8) where !names.contains(name) {
            let known = names.prefix(12).joined(separator: ", ") + (names.count > 12 ? ", ..." : "")
            throw ExportError.invalidArgument("no layer is named '\(name)' (the layers: \(known))")
        }
        if let both = options.keepFP32.intersection(options.forceInt8).sorted().first {
            throw ExportError.invalidArgument("layer '\(both)' is both kept fp32 and forced to int8")
        }
        for (index, node) in file.nodes.enumerated() {
            let isForced = options.forceInt8.contains(names[index])
            if options.keepFP32.contains(names[index]) {
                reasons[index] = "kept fp32 by --keep-fp32"
                continue
            }
            switch Int8Role.of(node) {
            case .failure(let why):
                if isForced {
                    throw ExportError.invalidArgument(
                        "layer '\(names[index])' cannot be forced to int8: \(why.reason) in the runtime")
                }
                reasons[index] = why.reason
                continue
            case .success(.weighted):
                do {
                    let x = node.inputs[0]!
                    guard let input = quantizations[x.index] else {
                        throw ExportError.invalidArgument("activation '\(file.tensors[x.index].name)' was not calibrated")
                    }
                    _ = try Int8GraphRewriter.weightedConstants(node, in: file, inputScale: input.scale)
                } catch let why as Int8Unsupported {
                    if isForced {
                        throw ExportError.invalidArgument("layer '\(names[index])' cannot be forced to int8: \(why.reason)")
                    }
                    reasons[index] = why.reason
                    continue
                }
            case .success:
                break
            }
            if isForced {
                forced.insert(index)
            } else if let rule = Int8SlowdownRule.rule(for: node, in: file, isa: isa, rules: options.slowdownRules) {
                reasons[index] = rule.reason
                continue
            }
            int8.insert(index)
        }
    }

    /// Step 2, from each candidate's isolated SQNR in dB.
    mutating func dropLowSQNR(_ isolated: [Int: Double], minimum: Double) {
        for index in int8.subtracting(forced) {
            guard let sqnr = isolated[index], sqnr < minimum else { continue }
            int8.remove(index)
            reasons[index] = formatted("SQNR %.1f dB < %.1f dB", sqnr, minimum)
        }
    }

    /// Step 3, in execution order so that a chain of such nodes falls back together.
    mutating func dropFP32Fed(_ file: ModelFile) {
        var producer: [Int: Int] = [:]
        for (index, node) in file.nodes.enumerated() { producer[node.outputs[0].index] = index }
        for (index, node) in file.nodes.enumerated() where int8.contains(index) && !forced.contains(index) {
            guard Int8Role.of(node) != .success(.weighted) else { continue }
            for x in node.activationInputs(in: file) where !(producer[x.index].map(int8.contains) ?? false) {
                int8.remove(index)
                reasons[index] = "its input '\(file.tensors[x.index].name)' is fp32 (no int8 producer to feed it)"
                break
            }
        }
    }
}
