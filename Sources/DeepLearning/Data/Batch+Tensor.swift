extension Batch {
    /// The inputs as a tensor of shape `shape` (e.g. `[N, C, H, W]`).
    public var inputTensor: Tensor<Float> { Tensor(shape: shape, scalars: inputs) }
}
