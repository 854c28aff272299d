/// A pair of spatial values, (height, width): strides, dilations, kernels.
public typealias Size2D = (h: Int, w: Int)

/// Spatial padding in the format's order: (top, left, bottom, right).
public typealias Padding2D = (top: Int, left: Int, bottom: Int, right: Int)

/// The shared plumbing of the typed node helpers: operand checks that name
/// the node, and appending a node with a freshly declared output tensor.
extension GraphBuilder {
    /// Context for error messages: "conv2d 'block1.conv'".
    func describe(_ op: OpCode, _ output: String) -> String { "\(op.name) '\(output)'" }

    /// An activation operand: it must exist and be f32 (every v1 op computes in f32).
    func operand(_ id: TensorID, _ role: String, of node: String) throws -> TensorDefinition {
        guard tensors.indices.contains(id.index) else {
            throw ExportError.invalidArgument("\(node): \(role) is \(id), which does not exist")
        }
        let tensor = tensors[id.index]
        guard tensor.dtype == .f32 else {
            throw ExportError.invalidArgument("\(node): \(role) '\(tensor.name)' is \(tensor.dtype); v1 ops take f32")
        }
        return tensor
    }

    /// A weight-like operand: also a constant (the runtime packs weights at load time).
    func constantOperand(_ id: TensorID, _ role: String, of node: String) throws -> TensorDefinition {
        let tensor = try operand(id, role, of: node)
        guard tensor.isConstant else {
            throw ExportError.invalidArgument("\(node): \(role) '\(tensor.name)' must be a constant")
        }
        return tensor
    }

    func requireRank(_ tensor: TensorDefinition, _ rank: Int, _ role: String, of node: String) throws {
        guard tensor.shape.count == rank else {
            throw ExportError.shape("\(node): \(role) '\(tensor.name)' must have rank \(rank), has shape \(tensor.shape)")
        }
    }

    func requireShape(_ tensor: TensorDefinition, _ shape: [Int], _ role: String, of node: String) throws {
        guard tensor.shape == shape else {
            throw ExportError.shape("\(node): \(role) '\(tensor.name)' must have shape \(shape), has \(tensor.shape)")
        }
    }

    /// Declares the output tensor `name` with `shape` and appends the node producing it.
    mutating func appendNode(_ op: OpCode, inputs: [TensorID?], attributes: [Attribute], outputShape: [Int],
                             name: String) throws -> TensorID
    {
        guard nodes.count < ModelFormat.Caps.nodes else {
            throw ExportError.invalidArgument("a model has at most \(ModelFormat.Caps.nodes) nodes")
        }
        let output = try declare(TensorDefinition(name: name, shape: outputShape))
        nodes.append(NodeDefinition(op: op, inputs: inputs, outputs: [output], attributes: attributes))
        return output
    }

    /// Normalizes a possibly negative axis into `0..<rank` (or `0...rank` when `inclusive`).
    func normalizeAxis(_ axis: Int, rank: Int, inclusive: Bool = false, of node: String) throws -> Int {
        let upper = inclusive ? rank : rank - 1
        let normalized = axis < 0 ? axis + rank : axis
        guard normalized >= 0, normalized <= upper else {
            throw ExportError.shape("\(node): axis \(axis) is out of range for rank \(rank)")
        }
        return normalized
    }
}
