/// The element type of a `Tensor`: `Float` (the training type) or `Double`
/// (for finite-difference gradient checks).
///
/// How ops dispatch. `Tensor<Scalar>` code is generic and never loops over
/// elements itself: every loop lives behind one of the *kernel* requirements
/// below, which take raw pointers and counts. Each conforming type implements
/// them concretely, so the inner loops are compiled for that type even when
/// the generic tensor code calling them is not specialised (a client module
/// calling `Tensor<Float>.relu()` pays one witness-table call per op, not one
/// per element):
///
/// - `Float` sends the hot kernels to the C runtime (`dk_sgemm` for matrix
///   products, with the shared `ComputePool`; `dk_softmax_forward`;
///   `dk_activation_forward` for sigmoid and tanh) and the rest to Swift loops
///   written to vectorise (`ElementwiseLoops`).
/// - `Double` runs plain Swift reference loops: slow but exact enough for
///   gradient checks.
///
/// A later op family (convolution, pooling, batch norm) follows the same
/// pattern: a protocol of its kernels (`protocol ConvolutionKernels`), an
/// `extension Float` calling `dk_conv2d_*`, an `extension Double` with the
/// Swift reference, and the protocol added to `TensorScalar`'s refinement
/// list so that generic layers (`Conv2d<Scalar>`) may use it.
public protocol TensorScalar: BinaryFloatingPoint, Sendable, CustomStringConvertible, SpatialKernels, RecurrentKernels
where Self.RawSignificand: FixedWidthInteger {
    // MARK: scalar math (per value; used by the shared loops and by scalar code)

    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
    static func tanh(_ x: Self) -> Self
    static func pow(_ x: Self, _ y: Self) -> Self
    /// log(1 + x), accurate near 0.
    static func log1p(_ x: Self) -> Self

    // MARK: kernels (pointers are to contiguous memory; `y` may alias an input)

    /// y[i] = value.
    static func fill(_ y: UnsafeMutablePointer<Self>, _ value: Self, count: Int)
    /// y[i] = x[i * stride]: the strided gather used by permute and slicing.
    static func copy(_ x: UnsafePointer<Self>, stride: Int, to y: UnsafeMutablePointer<Self>, count: Int)
    /// y[i] = f(x[i]).
    static func map(_ f: UnaryKernel<Self>, _ x: UnsafePointer<Self>, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// y[i] = f(a[i * aStride], b[i * bStride]); strides are 0 (broadcast) or 1.
    static func zip(_ f: BinaryKernel<Self>, _ a: UnsafePointer<Self>, aStride: Int,
                    _ b: UnsafePointer<Self>, bStride: Int, _ y: UnsafeMutablePointer<Self>, count: Int)
    /// The sum of x[0..<count].
    static func sum(_ x: UnsafePointer<Self>, count: Int) -> Self
    /// Over `[outer, axis, inner]`: the maximum along `axis` and its first index.
    static func maxAlongAxis(_ x: UnsafePointer<Self>, outer: Int, axis: Int, inner: Int,
                             values: UnsafeMutablePointer<Self>, indices: UnsafeMutablePointer<Int>)
    /// Softmax (or log-softmax) over the middle axis of `[outer, axis, inner]`, numerically stable.
    static func softmax(_ x: UnsafePointer<Self>, outer: Int, axis: Int, inner: Int,
                        _ y: UnsafeMutablePointer<Self>, log: Bool)
    /// Row-major C = alpha * op(A) * op(B) + beta * C, op(A) m x k, op(B) k x n
    /// (A stored k x m when `transposeA`, B stored n x k when `transposeB`).
    static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                     alpha: Self, _ a: UnsafePointer<Self>, lda: Int, _ b: UnsafePointer<Self>, ldb: Int,
                     beta: Self, _ c: UnsafeMutablePointer<Self>, ldc: Int)
}

/// An elementwise function of one value, with its parameters.
public enum UnaryKernel<Scalar: TensorScalar>: Sendable {
    case negate, exp, log, sqrt, abs, relu, sigmoid, tanh
    case pow(Scalar)
    case leakyRelu(slope: Scalar)
    case clamp(min: Scalar, max: Scalar)
    /// x + s
    case addScalar(Scalar)
    /// x * s
    case multiplyScalar(Scalar)
    /// s - x
    case subtractFromScalar(Scalar)
    /// s / x
    case divideScalar(Scalar)
}

/// An elementwise function of two values: arithmetic, and the backward rules
/// of the unary ops, written as `f(upstreamGradient, savedValue)`.
public enum BinaryKernel<Scalar: TensorScalar>: Sendable {
    case add, subtract, multiply, divide, maximum
    /// g * (x > 0)
    case reluBackward
    /// g * (x > 0 ? 1 : slope)
    case leakyReluBackward(slope: Scalar)
    /// g * y * (1 - y), from the output y
    case sigmoidBackward
    /// g * (1 - y²), from the output y
    case tanhBackward
    /// g * sign(x)
    case absBackward
    /// g where min < x < max, else 0
    case clampBackward(min: Scalar, max: Scalar)
    /// g * p * x^(p-1)
    case powBackward(Scalar)
    /// g / (2 y), from the output y = sqrt(x)
    case sqrtBackward
}
