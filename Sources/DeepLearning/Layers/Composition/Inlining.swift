/// Children of a composition module whose sub-module may be *inlined*:
/// with a nil name the sub-module's own children take its place, so their
/// names sit directly under the composition (`layer1.0.conv1.weight`, not
/// `layer1.0.body.conv1.weight`). That is how PyTorch blocks that are one
/// module with the residual add or the concatenation in their `forward`
/// (torchvision's `BasicBlock`, DenseNet's `_DenseLayer`) are written here.
///
/// An inlined module must own no parameters or buffers (they would have no
/// name), and since `train()` / `eval()` reach it only through its children,
/// its own `forward` must not depend on the mode: a `NamedSequential` or
/// `Sequential` is the intended use.
func inlinedChildren<Scalar>(_ name: String?, _ module: Module<Scalar>) -> [(name: String, module: Module<Scalar>)] {
    guard name == nil else { return [(name!, module)] }
    return module.children
}

func preconditionInlinable<Scalar>(_ module: Module<Scalar>, _ owner: String) {
    precondition(module.ownParameters.isEmpty && module.ownBuffers.isEmpty,
                 "\(owner): an inlined (unnamed) \(type(of: module)) must own no parameters or buffers")
}
