/// A kind of layer the runtime measurably runs slower in int8 than in fp32
/// on one instruction set: such layers stay fp32 unless forced
/// (`--force-int8 NAME`), and the report names the measurement.
public struct Int8SlowdownRule: Sendable, Equatable {
    /// `Runtime.isa` the measurement holds for ("avx2").
    public let isa: String
    public let layer: String
    /// int8 speed over fp32 speed as measured (< 1: int8 slower).
    public let speedup: Double
    /// How to repeat the measurement.
    public let source: String
    let matches: @Sendable (NodeDefinition, ModelFile) -> Bool

    public static func == (a: Int8SlowdownRule, b: Int8SlowdownRule) -> Bool {
        a.isa == b.isa && a.layer == b.layer && a.speedup == b.speedup && a.source == b.source
    }

    /// The rules. AVX2's stride-1 depthwise int8 kernel widens the input to
    /// int16 and pairs taps through vpmaddwd, which costs more than the fp32
    /// direct kernel's FMAs save: MobileNetV2's 3x3 stride-1 depthwise layer
    /// ran at 0.90x of fp32 (stride 2 and AVX-512 are faster in int8).
    public static let measured: [Int8SlowdownRule] = [
        Int8SlowdownRule(
            isa: "avx2", layer: "depthwise conv2d, stride 1", speedup: 0.90,
            source: "tools/bench/igemm_bench.sh, conv table, 'mbv2 dw 3x3 s1' (144 channels, 56x56) under AVX2",
            matches: { node, file in
                node.isDepthwise(in: file) && (node.attributes.integers(.strides) ?? [1, 1]) == [1, 1]
            }),
    ]

    /// The rule that keeps `node` fp32 on `isa`, if any.
    static func rule(for node: NodeDefinition, in file: ModelFile, isa: String,
                     rules: [Int8SlowdownRule] = measured) -> Int8SlowdownRule? {
        rules.first { $0.isa == isa && $0.matches(node, file) }
    }

    /// "int8 runs at 0.90x fp32 here (depthwise conv2d, stride 1 on avx2; tools/bench/...)".
    public var reason: String {
        "int8 runs at " + formatted("%.2f", speedup) + "x fp32 here (\(layer) on \(isa); \(source))"
    }
}
