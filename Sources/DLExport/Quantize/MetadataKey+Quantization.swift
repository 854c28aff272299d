/// Metadata an int8 export adds (docs/EXPORT.md, "int8").
extension MetadataKey {
    /// string: the calibration method, `minmax`, `percentile` or `entropy`.
    public static let quantizationMethod: MetadataKey = "quantization.method"
    /// i64: calibration examples (from the training split).
    public static let quantizationSamples: MetadataKey = "quantization.samples"
    /// f64 in [0, 1]: the int8 model's accuracy on the evaluated test examples.
    public static let quantizationTestAccuracy: MetadataKey = "quantization.test_accuracy"
    /// f64 in [0, 1]: the fp32 model's accuracy on the same examples.
    public static let quantizationFP32TestAccuracy: MetadataKey = "quantization.fp32_test_accuracy"
    /// f64 in [0, 1]: how often the int8 and fp32 models pick the same class on them.
    public static let quantizationTop1Agreement: MetadataKey = "quantization.top1_agreement"
    /// f64, dB: a generator's int8 output against fp32 (SQNR) on held-out
    /// latents, in place of the three figures above, which need labels.
    public static let quantizationOutputSQNR: MetadataKey = "quantization.output_sqnr_db"
    /// i64: test examples (or latents) the figures above were measured on.
    public static let quantizationEvaluationSamples: MetadataKey = "quantization.evaluation_samples"
    /// string array: the layers (node output names) left in fp32.
    public static let quantizationFP32Layers: MetadataKey = "quantization.fp32_layers"
}
