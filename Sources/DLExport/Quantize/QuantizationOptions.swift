/// How `Int8Exporter` quantizes (`dlexport --int8 ...`).
public struct QuantizationOptions: Sendable {
    /// minmax by default: on the bundled LeNet-5 (512 MNIST training
    /// examples, the 10,000 test images; docs/EXPORT.md, "int8") every method
    /// kept all 8 layers int8, and minmax matched fp32's 99.24% with the
    /// highest agreement (99.97%) and output SQNR (38.2 dB; percentile 36.4,
    /// entropy 33.5): a trained net's activations are bounded, so clipping
    /// only loses information.
    public var method: CalibrationMethod = .minmax
    /// A layer whose int8 output, computed from exact (fp32) inputs, has a
    /// lower SQNR against fp32 stays fp32. 20 dB means the noise's RMS is a
    /// tenth of the signal's: well-calibrated 8-bit layers measure 30-45 dB,
    /// so a layer under 20 has lost more than 2 of its 8 bits to outliers or
    /// a skewed range, and its error grows through every layer after it.
    public var minimumSQNR: Double = 20
    /// Layers (node output names, as the report and `--inspect` show them) kept fp32.
    public var keepFP32: Set<String> = []
    /// Layers forced to int8 despite a slowdown rule or a low SQNR; one
    /// without an int8 kernel is an error.
    public var forceInt8: Set<String> = []
    /// The instruction set the slowdown rules and kernel names are for; nil:
    /// the one the runtime dispatches to on this machine.
    public var isa: String?
    public var slowdownRules: [Int8SlowdownRule] = Int8SlowdownRule.measured
    /// The self-test output (the int8 model's own) must be reproduced within
    /// `atol = selfTestTolerance * max|output|` (and rtol 1e-4): int8
    /// arithmetic is bit-exact on every ISA, but the fp32 parts before a
    /// `quantize` may round differently on another ISA and move a value
    /// across a quantization step, so the tolerance is a few output steps.
    public var selfTestTolerance: Double = 0.02
    /// The int8 output on the self-test input must have at least this SQNR
    /// against the fp32 output (noise RMS under a third of the signal's), or
    /// the export is refused: a bound wrong scales or kernels break by far.
    public var minimumSelfTestSQNR: Double = 10

    public init(method: CalibrationMethod = .minmax) {
        self.method = method
    }
}
