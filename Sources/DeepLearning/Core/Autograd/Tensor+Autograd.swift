extension Tensor {
    /// Whether gradients flow to this tensor. Setting it true on a tensor
    /// outside the graph makes it a leaf whose `grad` `backward()` fills;
    /// setting it false detaches the tensor.
    public var requiresGrad: Bool {
        get { node != nil }
        set {
            if newValue {
                if node == nil { node = GradNode() }
            } else {
                node = nil
            }
        }
    }

    /// True for tensors outside the graph and for leaves made with `requiresGrad`.
    public var isLeaf: Bool { node?.isLeaf ?? true }

    /// The gradient accumulated by `backward()` into this leaf, or nil.
    public var grad: Tensor? {
        get { node?.grad }
        nonmutating set {
            precondition(node?.isLeaf == true, "only leaves that require grad hold a gradient")
            if let newValue { precondition(newValue.shape == shape, "grad shape \(newValue.shape) is not \(shape)") }
            node?.grad = newValue?.detached()
        }
    }

    /// Forgets the accumulated gradient (PyTorch's `zero_grad(set_to_none=True)`).
    public func zeroGrad() {
        node?.grad = nil
    }

    /// The same values, outside the graph: gradients do not flow through it.
    public func detached() -> Tensor {
        var copy = self
        copy.node = nil
        return copy
    }

    /// Back-propagates from this tensor: with no `seed`, the tensor must
    /// hold one element and its gradient is 1; otherwise `seed` (of this
    /// tensor's shape) is its gradient. Gradients add into the `grad` of
    /// every leaf reached. The graph is freed afterwards unless `retainGraph`.
    public func backward(_ seed: Tensor? = nil, retainGraph: Bool = false) {
        guard let root = node else {
            preconditionFailure("backward(): the tensor does not require grad (no input had requiresGrad, or it was computed under withNoGrad)")
        }
        let seedGradient: Tensor
        if let seed {
            precondition(seed.shape == shape, "backward(): seed shape \(seed.shape) is not \(shape)")
            seedGradient = seed.detached()
        } else {
            precondition(count == 1, "backward() without a seed needs a one-element tensor, shape is \(shape)")
            seedGradient = Tensor(repeating: 1, shape: shape)
        }
        withNoGrad { Backpropagation.run(from: root, seed: seedGradient, retainGraph: retainGraph) }
    }
}

/// The reverse traversal behind `backward()`.
enum Backpropagation {
    static func run<Scalar>(from root: GradNode<Scalar>, seed: Tensor<Scalar>, retainGraph: Bool) {
        let order = topologicalOrder(from: root)
        var pending: [ObjectIdentifier: Tensor<Scalar>] = [ObjectIdentifier(root): seed]
        for node in order.reversed() {
            guard let gradient = pending.removeValue(forKey: ObjectIdentifier(node)) else { continue }
            if node.isLeaf {
                node.grad = node.grad.map { $0 + gradient } ?? gradient
                continue
            }
            guard let backward = node.backward else {
                preconditionFailure("backward(): the graph through '\(node.name)' was already freed by an earlier backward(); pass retainGraph: true to the first")
            }
            let inputGradients = backward(gradient)
            precondition(inputGradients.count == node.inputs.count, "'\(node.name)' returned \(inputGradients.count) gradients for \(node.inputs.count) inputs")
            for (input, inputGradient) in zip(node.inputs, inputGradients) {
                guard let input, let inputGradient else { continue }
                let key = ObjectIdentifier(input)
                pending[key] = pending[key].map { $0 + inputGradient } ?? inputGradient
            }
            if !retainGraph {
                node.backward = nil
                node.inputs = []
            }
        }
    }

    /// Nodes in an order where every node comes after its inputs
    /// (iterative depth-first search, so deep graphs do not overflow the stack).
    static func topologicalOrder<Scalar>(from root: GradNode<Scalar>) -> [GradNode<Scalar>] {
        var order: [GradNode<Scalar>] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(root)]
        var stack: [(node: GradNode<Scalar>, next: Int)] = [(root, 0)]
        while !stack.isEmpty {
            let (node, next) = stack[stack.count - 1]
            if next < node.inputs.count {
                stack[stack.count - 1].next += 1
                if let input = node.inputs[next], visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(node)
                stack.removeLast()
            }
        }
        return order
    }
}
