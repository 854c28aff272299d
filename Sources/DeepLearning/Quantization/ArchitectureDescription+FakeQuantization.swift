extension ArchitectureDescription {
    /// The config entry (`true`) of a quantization-aware checkpoint: its
    /// `Conv2d` and `Linear` layers hold observer buffers, so the model must
    /// have `enableFakeQuantization()` called before the checkpoint loads.
    public static let fakeQuantizationKey = "fake_quantization"

    public var usesFakeQuantization: Bool { self[Self.fakeQuantizationKey] == .bool(true) }
}
