extension Tensor {
    /// a + b, a - b, a * b, a / b with NumPy broadcasting; the gradient of a
    /// broadcast input is summed back to its shape.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb, needs) = (a.shape, b.shape, (a.node != nil, b.node != nil))
        return record("add", a.zipped(.add, b), inputs: [a, b]) { g in
            [needs.0 ? g.unbroadcast(to: sa) : nil, needs.1 ? g.unbroadcast(to: sb) : nil]
        }
    }

    public static func - (a: Tensor, b: Tensor) -> Tensor {
        let (sa, sb, needs) = (a.shape, b.shape, (a.node != nil, b.node != nil))
        return record("subtract", a.zipped(.subtract, b), inputs: [a, b]) { g in
            [needs.0 ? g.unbroadcast(to: sa) : nil, needs.1 ? g.mapped(.negate).unbroadcast(to: sb) : nil]
        }
    }

    public static func * (a: Tensor, b: Tensor) -> Tensor {
        let (x, w, needs) = (a.detached(), b.detached(), (a.node != nil, b.node != nil))
        return record("multiply", a.zipped(.multiply, b), inputs: [a, b]) { g in
            [needs.0 ? g.zipped(.multiply, w).unbroadcast(to: x.shape) : nil,
             needs.1 ? g.zipped(.multiply, x).unbroadcast(to: w.shape) : nil]
        }
    }

    public static func / (a: Tensor, b: Tensor) -> Tensor {
        let (x, w, needs) = (a.detached(), b.detached(), (a.node != nil, b.node != nil))
        let y = a.zipped(.divide, b)
        return record("divide", y, inputs: [a, b]) { g in
            let ga = g.zipped(.divide, w)
            // d(a/b)/db = -(a/b)/b, so db = -(g/b) * y
            return [needs.0 ? ga.unbroadcast(to: x.shape) : nil,
                    needs.1 ? ga.zipped(.multiply, y).mapped(.negate).unbroadcast(to: w.shape) : nil]
        }
    }

    public static prefix func - (a: Tensor) -> Tensor {
        record("negate", a.mapped(.negate), inputs: [a]) { g in [g.mapped(.negate)] }
    }

    // MARK: - with scalars

    public static func + (a: Tensor, s: Scalar) -> Tensor {
        record("addScalar", a.mapped(.addScalar(s)), inputs: [a]) { g in [g] }
    }
    public static func + (s: Scalar, a: Tensor) -> Tensor { a + s }
    public static func - (a: Tensor, s: Scalar) -> Tensor { a + (-s) }
    public static func - (s: Scalar, a: Tensor) -> Tensor {
        record("subtractFromScalar", a.mapped(.subtractFromScalar(s)), inputs: [a]) { g in [g.mapped(.negate)] }
    }
    public static func * (a: Tensor, s: Scalar) -> Tensor {
        record("multiplyScalar", a.mapped(.multiplyScalar(s)), inputs: [a]) { g in [g.mapped(.multiplyScalar(s))] }
    }
    public static func * (s: Scalar, a: Tensor) -> Tensor { a * s }
    public static func / (a: Tensor, s: Scalar) -> Tensor { a / Tensor(s) }
    public static func / (s: Scalar, a: Tensor) -> Tensor {
        let x = a.detached()
        let y = a.mapped(.divideScalar(s))
        // d(s/x)/dx = -s/x² = -y/x
        return record("divideScalar", y, inputs: [a]) { g in [g.zipped(.multiply, y).zipped(.divide, x).mapped(.negate)] }
    }

    public static func += (a: inout Tensor, b: Tensor) { a = a + b }
    public static func -= (a: inout Tensor, b: Tensor) { a = a - b }
    public static func *= (a: inout Tensor, b: Tensor) { a = a * b }
    public static func /= (a: inout Tensor, b: Tensor) { a = a / b }
    public static func += (a: inout Tensor, s: Scalar) { a = a + s }
    public static func -= (a: inout Tensor, s: Scalar) { a = a - s }
    public static func *= (a: inout Tensor, s: Scalar) { a = a * s }
    public static func /= (a: inout Tensor, s: Scalar) { a = a / s }
}
