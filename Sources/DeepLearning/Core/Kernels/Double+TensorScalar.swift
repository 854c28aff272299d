#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

// libm's double functions under names that the static requirements below
// (which are also called `exp`, `log`, ...) do not shadow.
private func libmExp(_ x: Double) -> Double { exp(x) }
private func libmLog(_ x: Double) -> Double { log(x) }
private func libmTanh(_ x: Double) -> Double { tanh(x) }
private func libmPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
private func libmLog1p(_ x: Double) -> Double { log1p(x) }

/// Double, for finite-difference gradient checks: every kernel is the
/// shared Swift reference loop, specialised here for Double.
extension Double: TensorScalar {
    public static func exp(_ x: Double) -> Double { libmExp(x) }
    public static func log(_ x: Double) -> Double { libmLog(x) }
    public static func tanh(_ x: Double) -> Double { libmTanh(x) }
    public static func pow(_ x: Double, _ y: Double) -> Double { libmPow(x, y) }
    public static func log1p(_ x: Double) -> Double { libmLog1p(x) }

    public static func fill(_ y: UnsafeMutablePointer<Double>, _ value: Double, count: Int) {
        ElementwiseLoops.fill(y, value, count)
    }

    public static func copy(_ x: UnsafePointer<Double>, stride: Int, to y: UnsafeMutablePointer<Double>, count: Int) {
        ElementwiseLoops.copy(x, stride, y, count)
    }

    public static func map(_ f: UnaryKernel<Double>, _ x: UnsafePointer<Double>, _ y: UnsafeMutablePointer<Double>, count: Int) {
        ElementwiseLoops.map(f, x, y, count)
    }

    public static func zip(_ f: BinaryKernel<Double>, _ a: UnsafePointer<Double>, aStride: Int,
                           _ b: UnsafePointer<Double>, bStride: Int, _ y: UnsafeMutablePointer<Double>, count: Int) {
        ElementwiseLoops.zip(f, a, aStride, b, bStride, y, count)
    }

    public static func sum(_ x: UnsafePointer<Double>, count: Int) -> Double {
        ElementwiseLoops.sum(x, count)
    }

    public static func maxAlongAxis(_ x: UnsafePointer<Double>, outer: Int, axis: Int, inner: Int,
                                    values: UnsafeMutablePointer<Double>, indices: UnsafeMutablePointer<Int>) {
        ElementwiseLoops.maxAlongAxis(x, outer, axis, inner, values, indices)
    }

    public static func softmax(_ x: UnsafePointer<Double>, outer: Int, axis: Int, inner: Int,
                               _ y: UnsafeMutablePointer<Double>, log: Bool) {
        ElementwiseLoops.softmax(x, outer, axis, inner, y, log: log)
    }

    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int,
                            alpha: Double, _ a: UnsafePointer<Double>, lda: Int, _ b: UnsafePointer<Double>, ldb: Int,
                            beta: Double, _ c: UnsafeMutablePointer<Double>, ldc: Int) {
        ElementwiseLoops.gemm(transposeA, transposeB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc)
    }
}
