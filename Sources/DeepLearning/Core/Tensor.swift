/// An n-dimensional array of `Scalar`, row-major and contiguous, with
/// value semantics: copies share storage until one of them is mutated
/// (copy-on-write, through `Array`'s own uniqueness check).
///
/// A tensor may take part in automatic differentiation: a leaf made with
/// `requiresGrad = true` (a parameter), or the result of an op on such
/// tensors, carries a `GradNode`; `backward()` then fills the leaves'
/// `grad`. Copies of a tensor share its node (the node is the tensor's
/// identity in the graph), so a parameter stored in a layer and a copy of
/// it used in a computation accumulate into one `grad`.
///
/// ```swift
/// var w = Tensor<Float>(shape: [2, 2], scalars: [1, 2, 3, 4])
/// w.requiresGrad = true
/// let loss = (w * w).sum()
/// loss.backward()
/// w.grad   // 2 * w
/// ```
public struct Tensor<Scalar: TensorScalar>: @unchecked Sendable {
    /// The extent of each axis; `[]` for a scalar (one element).
    public internal(set) var shape: [Int]
    /// The elements in row-major order.
    public internal(set) var scalars: [Scalar]
    /// Set when the tensor takes part in autograd.
    var node: GradNode<Scalar>?

    // MARK: - creation

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Scalar]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        precondition(Shape.count(shape) == scalars.count,
                     "shape \(shape) holds \(Shape.count(shape)) elements, got \(scalars.count)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A 1-D tensor.
    public init(_ scalars: [Scalar]) {
        self.init(shape: [scalars.count], scalars: scalars)
    }

    /// A rank-0 tensor.
    public init(_ scalar: Scalar) {
        self.init(shape: [], scalars: [scalar])
    }

    /// A tensor of `shape` with every element `value`.
    public init(repeating value: Scalar, shape: [Int]) {
        self.init(shape: shape) { Scalar.fill($0.baseAddress!, value, count: $0.count) }
    }

    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }
    public static func ones(_ shape: [Int]) -> Tensor { Tensor(repeating: 1, shape: shape) }

    /// A tensor whose elements `initializer` writes (all of them, into uninitialised memory).
    init(shape: [Int], initializer: (UnsafeMutableBufferPointer<Scalar>) -> Void) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        let count = Shape.count(shape)
        self.shape = shape
        self.scalars = [Scalar](unsafeUninitializedCapacity: Swift.max(count, 1)) { buffer, initialized in
            let body = UnsafeMutableBufferPointer(rebasing: buffer[..<count])
            if count > 0 { initializer(body) }
            initialized = count
        }
    }

    // MARK: - properties

    public var rank: Int { shape.count }
    /// The number of elements.
    public var count: Int { scalars.count }

    /// The only element of a one-element tensor.
    public func item() -> Scalar {
        precondition(count == 1, "item() needs a tensor of one element, shape is \(shape)")
        return scalars[0]
    }

    /// The element at `indices` (one per axis). Setting an element of a
    /// non-leaf tensor detaches it from the graph: its recorded history no
    /// longer describes its value.
    public subscript(indices: Int...) -> Scalar {
        get { scalars[Shape.offset(of: indices, in: shape)] }
        set {
            let offset = Shape.offset(of: indices, in: shape)
            if let node, !node.isLeaf { self.node = nil }
            scalars[offset] = newValue
        }
    }

    /// Reads the elements in place.
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Scalar>) throws -> R) rethrows -> R {
        try scalars.withUnsafeBufferPointer(body)
    }

    /// Writes the elements in place (copying them first if the storage is
    /// shared). Like the subscript, this detaches a non-leaf tensor; on a
    /// leaf (a parameter) it is how optimizers update values, and should
    /// run under `withNoGrad` or outside any recorded computation.
    public mutating func withUnsafeMutableBufferPointer<R>(
        _ body: (inout UnsafeMutableBufferPointer<Scalar>) throws -> R
    ) rethrows -> R {
        if let node, !node.isLeaf { self.node = nil }
        return try scalars.withUnsafeMutableBufferPointer(body)
    }

    /// Replaces the values (same count) keeping the tensor's identity; the
    /// optimizer's `param.assign(newValues)`.
    public mutating func assign(_ other: Tensor) {
        precondition(other.shape == shape, "assign: shape \(other.shape) does not match \(shape)")
        if let node, !node.isLeaf { self.node = nil }
        scalars = other.scalars
    }

    /// A tensor with the same values and shape but another scalar type.
    public func converted<Other: TensorScalar>(to type: Other.Type = Other.self) -> Tensor<Other> {
        Tensor<Other>(shape: shape, scalars: scalars.map { Other($0) })
    }
}

extension Tensor: CustomStringConvertible {
    public var description: String {
        let shown = scalars.prefix(16).map { "\($0)" }.joined(separator: ", ")
        let more = count > 16 ? ", ..." : ""
        return "Tensor<\(Scalar.self)>(shape: \(shape), [\(shown)\(more)])\(node == nil ? "" : " (grad)")"
    }
}

extension Tensor: Equatable {
    /// Same shape and same values; autograd state is ignored.
    public static func == (lhs: Tensor, rhs: Tensor) -> Bool {
        lhs.shape == rhs.shape && lhs.scalars == rhs.scalars
    }
}
