/// A layer that can train with fake quantization (`Conv2d`, `Linear`: the
/// layers the int8 exporter turns into int8 nodes).
public protocol FakeQuantizable: AnyObject {
    associatedtype Scalar: TensorScalar
    /// nil: the layer has never been prepared for quantization-aware training.
    var fakeQuantization: FakeQuantization<Scalar>? { get set }
}

extension FakeQuantizable {
    /// Switches fake quantization on or off, creating it (with a fresh
    /// observer) the first time it is switched on.
    func setFakeQuantization(enabled: Bool, momentum: Double) {
        if enabled && fakeQuantization == nil { fakeQuantization = FakeQuantization(momentum: momentum) }
        fakeQuantization?.isEnabled = enabled
    }

    var isFakeQuantizing: Bool { fakeQuantization?.isEnabled == true }
}

extension Module {
    /// Quantization-aware training for the whole tree: every `FakeQuantizable`
    /// layer gets fake quantization (a fresh observer where it had none) and
    /// switches it on. Its observer buffers join the state dict, so load an
    /// fp32 checkpoint before this call and a QAT checkpoint after it.
    /// Returns the number of layers.
    @discardableResult
    public func enableFakeQuantization(momentum: Double = ActivationObserver<Scalar>.defaultMomentum) -> Int {
        setFakeQuantization(enabled: true, momentum: momentum)
    }

    /// Full precision again, keeping every observer and its state-dict entries.
    @discardableResult
    public func disableFakeQuantization() -> Int {
        setFakeQuantization(enabled: false, momentum: ActivationObserver<Scalar>.defaultMomentum)
    }

    private func setFakeQuantization(enabled: Bool, momentum: Double) -> Int {
        let layers = namedModules().compactMap { $0.module as? any FakeQuantizable }
        for layer in layers { layer.setFakeQuantization(enabled: enabled, momentum: momentum) }
        return layers.count
    }

    /// Whether some layer of the tree trains with fake quantization now.
    public var usesFakeQuantization: Bool {
        namedModules().contains { ($0.module as? any FakeQuantizable)?.isFakeQuantizing == true }
    }
}
