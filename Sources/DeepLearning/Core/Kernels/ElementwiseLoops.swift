/// The Swift loops behind `TensorScalar`'s kernels, written once and
/// specialised for each conforming type: `Float`'s and `Double`'s kernel
/// methods call these from concrete code, so `T` is known and every closure
/// below is inlined into a plain, vectorisable loop.
enum ElementwiseLoops {
    @inline(__always)
    static func unary<T>(_ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int, _ f: (T) -> T) {
        for i in 0..<n { y[i] = f(x[i]) }
    }

    @inline(__always)
    static func binary<T>(_ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
                          _ y: UnsafeMutablePointer<T>, _ n: Int, _ f: (T, T) -> T) {
        switch (sa, sb) {
        case (1, 1): for i in 0..<n { y[i] = f(a[i], b[i]) }
        case (0, 1): let av = a[0]; for i in 0..<n { y[i] = f(av, b[i]) }
        case (1, 0): let bv = b[0]; for i in 0..<n { y[i] = f(a[i], bv) }
        default: let v = f(a[0], b[0]); for i in 0..<n { y[i] = v }
        }
    }

    @inline(__always)
    static func map<T: TensorScalar>(_ f: UnaryKernel<T>, _ x: UnsafePointer<T>, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        switch f {
        case .negate: unary(x, y, n) { -$0 }
        case .exp: unary(x, y, n) { T.exp($0) }
        case .log: unary(x, y, n) { T.log($0) }
        case .sqrt: unary(x, y, n) { $0.squareRoot() }
        case .abs: unary(x, y, n) { Swift.abs($0) }
        case .relu: unary(x, y, n) { $0 > 0 ? $0 : 0 }
        case .sigmoid: unary(x, y, n) { 1 / (1 + T.exp(-$0)) }
        case .tanh: unary(x, y, n) { T.tanh($0) }
        case .pow(let p):
            if p == 2 { unary(x, y, n) { $0 * $0 } } else { unary(x, y, n) { T.pow($0, p) } }
        case .leakyRelu(let s): unary(x, y, n) { $0 > 0 ? $0 : $0 * s }
        case .clamp(let lo, let hi): unary(x, y, n) { $0 < lo ? lo : ($0 > hi ? hi : $0) }
        case .addScalar(let s): unary(x, y, n) { $0 + s }
        case .multiplyScalar(let s): unary(x, y, n) { $0 * s }
        case .subtractFromScalar(let s): unary(x, y, n) { s - $0 }
        case .divideScalar(let s): unary(x, y, n) { s / $0 }
        }
    }

    @inline(__always)
    static func zip<T: TensorScalar>(_ f: BinaryKernel<T>, _ a: UnsafePointer<T>, _ sa: Int, _ b: UnsafePointer<T>, _ sb: Int,
                                     _ y: UnsafeMutablePointer<T>, _ n: Int) {
        switch f {
        case .add: binary(a, sa, b, sb, y, n) { $0 + $1 }
        case .subtract: binary(a, sa, b, sb, y, n) { $0 - $1 }
        case .multiply: binary(a, sa, b, sb, y, n) { $0 * $1 }
        case .divide: binary(a, sa, b, sb, y, n) { $0 / $1 }
        case .maximum: binary(a, sa, b, sb, y, n) { $0 >= $1 ? $0 : $1 }
        case .reluBackward: binary(a, sa, b, sb, y, n) { $1 > 0 ? $0 : 0 }
        case .leakyReluBackward(let s): binary(a, sa, b, sb, y, n) { $1 > 0 ? $0 : $0 * s }
        case .sigmoidBackward: binary(a, sa, b, sb, y, n) { $0 * $1 * (1 - $1) }
        case .tanhBackward: binary(a, sa, b, sb, y, n) { $0 * (1 - $1 * $1) }
        case .absBackward: binary(a, sa, b, sb, y, n) { $1 > 0 ? $0 : ($1 < 0 ? -$0 : 0) }
        case .clampBackward(let lo, let hi): binary(a, sa, b, sb, y, n) { ($1 >= lo && $1 <= hi) ? $0 : 0 }
        case .powBackward(let p):
            if p == 2 { binary(a, sa, b, sb, y, n) { 2 * $0 * $1 } } else { binary(a, sa, b, sb, y, n) { $0 * p * T.pow($1, p - 1) } }
        case .sqrtBackward: binary(a, sa, b, sb, y, n) { $0 / (2 * $1) }
        }
    }

    @inline(__always)
    static func fill<T>(_ y: UnsafeMutablePointer<T>, _ value: T, _ n: Int) {
        for i in 0..<n { y[i] = value }
    }

    @inline(__always)
    static func copy<T>(_ x: UnsafePointer<T>, _ stride: Int, _ y: UnsafeMutablePointer<T>, _ n: Int) {
        if stride == 1 {
            y.update(from: x, count: n)
        } else {
            for i in 0..<n { y[i] = x[i * stride] }
        }
    }

    /// Eight independent partial sums, so that the loop vectorises without
    /// reassociating a single accumulator (which strict FP forbids).
    @inline(__always)
    static func sum<T: TensorScalar>(_ x: UnsafePointer<T>, _ n: Int) -> T {
        var s0: T = 0, s1: T = 0, s2: T = 0, s3: T = 0, s4: T = 0, s5: T = 0, s6: T = 0, s7: T = 0
        var i = 0
        while i + 8 <= n {
            s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]
            s4 += x[i + 4]; s5 += x[i + 5]; s6 += x[i + 6]; s7 += x[i + 7]
            i += 8
        }
        while i < n { s0 += x[i]; i += 1 }
        return ((s0 + s1) + (s2 + s3)) + ((s4 + s5) + (s6 + s7))
    }

    @inline(__always)
    static func maxAlongAxis<T: TensorScalar>(_ x: UnsafePointer<T>, _ outer: Int, _ axis: Int, _ inner: Int,
                                              _ values: UnsafeMutablePointer<T>, _ indices: UnsafeMutablePointer<Int>) {
        for o in 0..<outer {
            let xo = x + o * axis * inner
            let vo = values + o * inner
            let io = indices + o * inner
            for j in 0..<inner { vo[j] = xo[j]; io[j] = 0 }
            if axis > 1 {
                for a in 1..<axis {
                    let row = xo + a * inner
                    for j in 0..<inner where row[j] > vo[j] || (row[j].isNaN && !vo[j].isNaN) {
                        vo[j] = row[j]; io[j] = a
                    }
                }
            }
        }
    }

    /// Three passes per row (max, exp-sum, scale); for `inner > 1` the rows
    /// are columns, walked with stride `inner`.
    @inline(__always)
    static func softmax<T: TensorScalar>(_ x: UnsafePointer<T>, _ outer: Int, _ axis: Int, _ inner: Int,
                                         _ y: UnsafeMutablePointer<T>, log: Bool) {
        for o in 0..<outer {
            for j in 0..<inner {
                let xr = x + o * axis * inner + j
                let yr = y + o * axis * inner + j
                var m = -T.infinity
                for a in 0..<axis where xr[a * inner] > m { m = xr[a * inner] }
                if !m.isFinite { m = 0 }
                var s: T = 0
                for a in 0..<axis { s += T.exp(xr[a * inner] - m) }
                if log {
                    let shift = m + T.log(s)
                    for a in 0..<axis { yr[a * inner] = xr[a * inner] - shift }
                } else {
                    let inv = 1 / s
                    for a in 0..<axis { yr[a * inner] = T.exp(xr[a * inner] - m) * inv }
                }
            }
        }
    }

    /// The reference matrix product (i-k-j order, so the inner loop is a
    /// contiguous axpy). Used for Double; Float calls dk_sgemm.
    @inline(__always)
    static func gemm<T: TensorScalar>(_ ta: Bool, _ tb: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: T,
                                      _ a: UnsafePointer<T>, _ lda: Int, _ b: UnsafePointer<T>, _ ldb: Int,
                                      _ beta: T, _ c: UnsafeMutablePointer<T>, _ ldc: Int) {
        for i in 0..<m {
            let ci = c + i * ldc
            if beta == 0 { for j in 0..<n { ci[j] = 0 } } else if beta != 1 { for j in 0..<n { ci[j] *= beta } }
            for p in 0..<k {
                let aip = alpha * (ta ? a[p * lda + i] : a[i * lda + p])
                if tb {
                    for j in 0..<n { ci[j] += aip * b[j * ldb + p] }
                } else {
                    let bp = b + p * ldb
                    for j in 0..<n { ci[j] += aip * bp[j] }
                }
            }
        }
    }
}
