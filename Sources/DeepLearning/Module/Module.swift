/// The base class of layers and models (PyTorch's `nn.Module`).
///
/// A module declares what it owns by overriding three lists:
/// `ownParameters`, `ownBuffers` and `children` (sub-modules), each as
/// `(name, value)` pairs. Everything else — dotted names such as
/// `layer1.0.conv1.weight`, `parameters()`, `stateDict()`, `train()` /
/// `eval()`, freezing — is derived from them by walking the tree in list
/// order. The lists are computed from the module's stored properties every
/// time, so replacing a child (`model.head = Linear(512, 10)`) is seen at
/// once; there is no registry to keep in sync and no reflection, so the
/// names and their order are exactly what the module says.
///
/// ```swift
/// final class MLP: Module<Float> {
///     let hidden = Linear<Float>(2, 8), output = Linear<Float>(8, 2)
///     override var children: [(name: String, module: Module<Float>)] {
///         [("hidden", hidden), ("output", output)]
///     }
///     override func forward(_ x: Tensor<Float>) -> Tensor<Float> {
///         output(hidden(x).relu())
///     }
/// }
/// ```
///
/// Generic over the scalar so that the same layer runs in Float for
/// training and in Double for finite-difference gradient checks.
open class Module<Scalar: TensorScalar> {
    /// True in training mode (the default): dropout drops and batch norm
    /// uses batch statistics. Set for a whole tree with `train()` / `eval()`.
    public private(set) var isTraining = true

    public init() {}

    // MARK: - what a module owns (override these)

    /// This module's own parameters (not its children's), in a fixed order.
    open var ownParameters: [(name: String, parameter: Parameter<Scalar>)] { [] }

    /// This module's own buffers (not its children's), in a fixed order.
    open var ownBuffers: [(name: String, buffer: Buffer<Scalar>)] { [] }

    /// The direct sub-modules, in a fixed order; their names are the dotted
    /// path components.
    open var children: [(name: String, module: Module<Scalar>)] { [] }

    // MARK: - computation

    /// The module's computation on one input. Layers with other inputs
    /// (`Embedding` takes indices) add their own `callAsFunction`.
    open func forward(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        preconditionFailure("\(type(of: self)) does not override forward(_:)")
    }

    public func callAsFunction(_ input: Tensor<Scalar>) -> Tensor<Scalar> {
        forward(input)
    }

    // MARK: - traversal

    /// This module and every descendant with its dotted path ("" for this
    /// one), depth first in `children` order. A module reachable twice
    /// (shared weights) is listed once, under its first path, as in PyTorch.
    public func namedModules() -> [(name: String, module: Module<Scalar>)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, module: Module<Scalar>)] = []
        func visit(_ module: Module<Scalar>, _ path: String) {
            guard seen.insert(ObjectIdentifier(module)).inserted else { return }
            result.append((path, module))
            for (name, child) in module.children { visit(child, path.isEmpty ? name : path + "." + name) }
        }
        visit(self, "")
        return result
    }

    /// Every parameter with its dotted name, each parameter once (shared
    /// parameters under their first name), in module order.
    public func namedParameters() -> [(name: String, parameter: Parameter<Scalar>)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, parameter: Parameter<Scalar>)] = []
        for (path, module) in namedModules() {
            for (name, parameter) in module.ownParameters where seen.insert(ObjectIdentifier(parameter)).inserted {
                result.append((path.isEmpty ? name : path + "." + name, parameter))
            }
        }
        return result
    }

    /// Every parameter, frozen or not (what an optimizer is given; it skips
    /// parameters without a gradient).
    public func parameters() -> [Parameter<Scalar>] { namedParameters().map(\.parameter) }

    /// The parameters that are not frozen.
    public func trainableParameters() -> [Parameter<Scalar>] { parameters().filter { !$0.isFrozen } }

    /// Every buffer with its dotted name, in module order.
    public func namedBuffers() -> [(name: String, buffer: Buffer<Scalar>)] {
        var seen = Set<ObjectIdentifier>()
        var result: [(name: String, buffer: Buffer<Scalar>)] = []
        for (path, module) in namedModules() {
            for (name, buffer) in module.ownBuffers where seen.insert(ObjectIdentifier(buffer)).inserted {
                result.append((path.isEmpty ? name : path + "." + name, buffer))
            }
        }
        return result
    }

    /// The number of scalars in all parameters.
    public var parameterCount: Int { parameters().reduce(0) { $0 + $1.count } }

    // MARK: - modes and gradients

    /// Sets training mode (or evaluation mode with `false`) on this module
    /// and every descendant. Returns self, for chaining.
    @discardableResult
    public func train(_ mode: Bool = true) -> Self {
        for (_, module) in namedModules() { module.isTraining = mode }
        return self
    }

    /// Evaluation mode for the whole tree: `train(false)`.
    @discardableResult
    public func eval() -> Self { train(false) }

    /// Forgets every parameter's gradient (set to nil, as PyTorch's default).
    public func zeroGrad() {
        for parameter in parameters() { parameter.zeroGrad() }
    }
}
