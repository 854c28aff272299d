/// A tensor's place in the recorded graph, micrograd-style: the nodes of
/// the op's inputs and a closure that maps the gradient of the op's output
/// to gradients of those inputs. Leaves (tensors made with
/// `requiresGrad = true`) have no closure and keep their accumulated `grad`.
///
/// Closures capture input and output *values* (storage only, no nodes), so
/// the graph has no cycles; `backward()` drops the closures and input links
/// as it goes, freeing intermediate results.
final class GradNode<Scalar: TensorScalar> {
    typealias Backward = (Tensor<Scalar>) -> [Tensor<Scalar>?]

    /// The input nodes, parallel to the closure's results; nil for inputs
    /// that need no gradient.
    var inputs: [GradNode?]
    var backward: Backward?
    /// A leaf's accumulated gradient.
    var grad: Tensor<Scalar>?
    let isLeaf: Bool
    /// For messages: the op that produced the tensor.
    let name: String

    /// A leaf.
    init() {
        inputs = []
        backward = nil
        isLeaf = true
        name = "leaf"
    }

    init(name: String, inputs: [GradNode?], backward: @escaping Backward) {
        self.inputs = inputs
        self.backward = backward
        isLeaf = false
        self.name = name
    }
}

extension Tensor {
    /// Attaches the graph for an op's result `output` computed from `inputs`,
    /// when recording is on and some input requires a gradient. `backward`
    /// gets the gradient of `output` and returns one gradient per input (of
    /// that input's shape), or nil where none is needed. It must not capture
    /// `output` after this call or tensors carrying nodes; capture
    /// `detached()` values.
    static func record(_ name: String, _ output: Tensor, inputs: [Tensor],
                       backward: @escaping GradNode<Scalar>.Backward) -> Tensor {
        guard GradMode.isEnabled, inputs.contains(where: { $0.node != nil }) else { return output }
        var result = output
        result.node = GradNode(name: name, inputs: inputs.map(\.node), backward: backward)
        return result
    }
}
