import DeepLearning

/// What an int8 export chose and measured, layer by layer and for the whole model.
public struct QuantizationReport: Sendable {
    public struct Layer: Sendable {
        /// The node's output tensor name (as `--inspect` shows it).
        public let name: String
        public let op: String
        public let int8: Bool
        /// Why the layer is fp32, or "forced" for a layer forced to int8.
        public let reason: String?
        /// int8 against fp32 from exact inputs (the layer's own error), on the calibration examples.
        public let isolatedSQNR: Double?
        /// int8 against fp32 in the exported model (errors of earlier layers included).
        public let modelSQNR: Double?
        /// The output range calibration chose, and its quantization.
        public let range: ClosedRange<Float>?
        public let quantization: ActivationQuantization?
        public let kernel: String
    }

    public let method: CalibrationMethod
    public let calibrationSamples: Int
    public let calibrationSource: String
    public let minimumSQNR: Double
    /// e.g. "avx512 (VNNI)".
    public let isa: String
    public let layers: [Layer]
    public let evaluationSamples: Int
    /// Accuracy and agreement on the test split; nil for a generator (unlabelled latents).
    public let fp32Accuracy: Double?
    public let int8Accuracy: Double?
    public let top1Agreement: Double?
    /// The model output's SQNR over the evaluation examples.
    public let outputSQNR: Double
    /// The self-test input's int8 output against fp32, in dB.
    public let selfTestSQNR: Double

    public var int8Layers: Int { layers.filter(\.int8).count }
}
