import DeepLearning

extension ActivationQuantization {
    /// The format's per-tensor quantization of an i8 tensor.
    var tensorQuantization: Quantization { .perTensor(scale: scale, zeroPoint: zeroPoint) }
}
