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
    ///
    /// A strided conv_transpose2d runs in int8 as one GEMM per output phase,
    /// each `C·⌈kh/s⌉·⌈kw/s⌉` deep and a quarter of the pixels wide, while the
    /// fp32 kernel makes one GEMM and scatters: the DCGAN's 128 -> 64, 7 -> 14
    /// layer (depth 512) ran at 0.92x of fp32 under AVX-512 VNNI and AVX2,
    /// the 256 -> 128, 4 -> 8 one (depth 1024) at 1.16-1.23x under AVX-512
    /// and 0.93x under AVX2. Stride 1 (the DCGAN's 1 -> 7 projection) is far
    /// faster in int8.
    public static let measured: [Int8SlowdownRule] = [
        Int8SlowdownRule(
            isa: "avx2", layer: "depthwise conv2d, stride 1", speedup: 0.90,
            source: "tools/bench/igemm_bench.sh, conv table, 'mbv2 dw 3x3 s1' (144 channels, 56x56) under AVX2",
            matches: { node, file in
                node.isDepthwise(in: file) && (node.attributes.integers(.strides) ?? [1, 1]) == [1, 1]
            }),
        Int8SlowdownRule(
            isa: "avx512", layer: "strided conv_transpose2d, phase depth at most 512", speedup: 0.92,
            source: "tools/bench/convt_bench.sh, 'dcgan up2 7->14' (128 -> 64 channels, 4x4 stride 2)",
            matches: { node, file in node.isStridedTransposedConvolution && node.inputsPerOutput(in: file) <= 512 }),
        Int8SlowdownRule(
            isa: "avx2", layer: "strided conv_transpose2d", speedup: 0.92,
            source: "tools/bench/convt_bench.sh, 'dcgan up2 7->14' and 'dcgan-32 4->8' under AVX2 (0.92, 0.93)",
            matches: { node, _ in node.isStridedTransposedConvolution }),
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
