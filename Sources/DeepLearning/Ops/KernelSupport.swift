/// Pointer plumbing between tensors and the pointer-level `SpatialKernels`.
extension Tensor {
    typealias Pointer = UnsafePointer<Scalar>
    typealias MutablePointer = UnsafeMutablePointer<Scalar>

    /// Reads the elements in place (the tensor must not be empty).
    func withPointer<R>(_ body: (Pointer) -> R) -> R {
        scalars.withUnsafeBufferPointer { body($0.baseAddress!) }
    }

    /// A new tensor of `shape` whose elements `body` writes, all of them
    /// (the memory is uninitialised on entry).
    static func written(_ shape: [Int], _ body: (MutablePointer) -> Void) -> Tensor {
        Tensor(shape: shape) { body($0.baseAddress!) }
    }

    /// Up to three new tensors written by one kernel call, for the shapes
    /// given (nil: not wanted, the kernel gets a nil pointer). The memory is
    /// uninitialised on entry: the kernel must write every element.
    static func written(_ s0: [Int]?, _ s1: [Int]?, _ s2: [Int]? = nil,
                        _ body: (MutablePointer?, MutablePointer?, MutablePointer?) -> Void)
        -> (Tensor?, Tensor?, Tensor?) {
        var t0 = s0.map { Tensor(shape: $0) { _ in } }
        var t1 = s1.map { Tensor(shape: $0) { _ in } }
        var t2 = s2.map { Tensor(shape: $0) { _ in } }
        withMutablePointer(&t0) { p0 in
            withMutablePointer(&t1) { p1 in
                withMutablePointer(&t2) { p2 in body(p0, p1, p2) }
            }
        }
        return (t0, t1, t2)
    }

    static func withMutablePointer<R>(_ t: inout Tensor?, _ body: (MutablePointer?) -> R) -> R {
        guard t != nil else { return body(nil) }
        return t!.scalars.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
    }
}

/// `body` with the tensor's elements, or nil for a nil tensor.
func withOptionalPointer<Scalar, R>(_ t: Tensor<Scalar>?, _ body: (UnsafePointer<Scalar>?) -> R) -> R {
    guard let t else { return body(nil) }
    return t.withPointer { body($0) }
}

/// `[n, c, inner]`: an `[N, C, ...]` tensor's batch, channels and the product of the rest.
func channelSplit(_ shape: [Int], _ op: String) -> (n: Int, c: Int, inner: Int) {
    precondition(shape.count >= 2, "\(op): expected [N, C, ...], got shape \(shape)")
    let inner = Shape.count(Array(shape.dropFirst(2)))
    precondition(shape[0] > 0 && shape[1] > 0 && inner > 0, "\(op): empty input of shape \(shape)")
    return (shape[0], shape[1], inner)
}
