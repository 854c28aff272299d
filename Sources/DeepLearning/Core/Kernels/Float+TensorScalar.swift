import CRuntime.Kernels
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Float, the training type: matrix products, softmax, sigmoid and tanh run
/// on the C runtime's kernels (on `ComputePool`); the other elementwise
/// kernels are the shared Swift loops, specialised here for Float.
extension Float: TensorScalar {
    /// Branch-free exp (Cephes' expf, as CRuntime's vmath.h), so that loops
    /// over it vectorise; within a few ulp of the exact value.
    @inline(__always)
    public static func exp(_ x: Float) -> Float {
        var v = x > -103.97 ? x : -103.97
        v = v < 88.72283 ? v : 88.72283
        let r = (v * 1.44269504088896341 + 12582912.0) - 12582912.0
        let n = Int32(r)
        var f = v - r * 0.693359375
        f = f - r * -2.12194440e-4
        let z = f * f
        var y: Float = 1.9875691500e-4
        y = y * f + 1.3981999507e-3
        y = y * f + 8.3334519073e-3
        y = y * f + 4.1665795894e-2
        y = y * f + 1.6666665459e-1
        y = y * f + 5.0000001201e-1
        y = y * z + f + 1.0
        let n1 = n / 2
        let n2 = n - n1
        y = y * Float(bitPattern: UInt32(bitPattern: (n1 &+ 127) &* 8_388_608))
            * Float(bitPattern: UInt32(bitPattern: (n2 &+ 127) &* 8_388_608))
        y = x > 88.72283 ? .infinity : y
        y = x < -103.97 ? 0 : y
        return x.isNaN ? x : y
    }

    public static func log(_ x: Float) -> Float { logf(x) }
    public static func tanh(_ x: Float) -> Float { tanhf(x) }
    public static func pow(_ x: Float, _ y: Float) -> Float { powf(x, y) }
    public static func log1p(_ x: Float) -> Float { log1pf(x) }

    public static func fill(_ y: UnsafeMutablePointer<Float>, _ value: Float, count: Int) {
        ElementwiseLoops.fill(y, value, count)
    }

    public static func copy(_ x: UnsafePointer<Float>, stride: Int, to y: UnsafeMutablePointer<Float>, count: Int) {
        ElementwiseLoops.copy(x, stride, y, count)
    }

    public static func map(_ f: UnaryKernel<Float>, _ x: UnsafePointer<Float>, _ y: UnsafeMutablePointer<Float>, count: Int) {
        switch f {
        case .sigmoid:
            ComputePool.withPool { dk_activation_forward($0, DK_ACT_SIGMOID, 0, x, y, count) }
        case .tanh:
            ComputePool.withPool { dk_activation_forward($0, DK_ACT_TANH, 0, x, y, count) }
        default:
            ElementwiseLoops.map(f, x, y, count)
        }
    }

    public static func zip(_ f: BinaryKernel<Float>, _ a: UnsafePointer<Float>, aStride: Int,
                           _ b: UnsafePointer<Float>, bStride: Int, _ y: UnsafeMutablePointer<Float>, count: Int) {
        ElementwiseLoops.zip(f, a, aStride, b, bStride, y, count)
    }

    public static func sum(_ x: UnsafePointer<Float>, count: Int) -> Float {
        ElementwiseLoops.sum(x, count)
    }

    public static func maxAlongAxis(_ x: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                                    values: UnsafeMutablePointer<Float>, indices: UnsafeMutablePointer<Int>) {
        ElementwiseLoops.maxAlongAxis(x, outer, axis, inner, values, indices)
    }

    public static func softmax(_ x: UnsafePointer<Float>, outer: Int, axis: Int, inner: Int,
                               _ y: UnsafeMutablePointer<Float>, log: Bool) {
        if log {
            ElementwiseLoops.softmax(x, outer, axis, inner, y, log: true)
        } else {
            ComputePool.withPool { dk_softmax_forward($0, outer, axis, inner, x, y) }
        }
    }

    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Float, _ a: UnsafePointer<Float>, lda: Int, _ b: UnsafePointer<Float>, ldb: Int,
                            beta: Float, _ c: UnsafeMutablePointer<Float>, ldc: Int) {
        let status = ComputePool.withPool { pool in
            dk_sgemm(pool, transposeA ? 1 : 0, transposeB ? 1 : 0, m, n, k, alpha, a, lda, b, ldb,
                     beta, c, ldc, nil, nil)
        }
        precondition(status == 0, "dk_sgemm: out of memory for a \(m)x\(k) by \(k)x\(n) product")
    }
}
