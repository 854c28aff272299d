import CRuntime.Kernels

/// A (height, width) pair: kernel sizes, strides, dilations. An integer
/// literal means the same value on both axes (`stride: 2`).
public struct Size2d: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var height: Int
    public var width: Int

    public init(_ height: Int, _ width: Int) {
        self.height = height
        self.width = width
    }

    public init(integerLiteral value: Int) { self.init(value, value) }

    public var description: String { "(\(height), \(width))" }
}

/// Spatial padding of an NCHW tensor: (top, left, bottom, right), as ONNX
/// and the C runtime take it. An integer literal pads every side alike;
/// `Padding2d(h, w)` is PyTorch's symmetric `padding=(h, w)`.
public struct Padding2d: Sendable, Hashable, ExpressibleByIntegerLiteral, CustomStringConvertible {
    public var top: Int
    public var left: Int
    public var bottom: Int
    public var right: Int

    public init(top: Int, left: Int, bottom: Int, right: Int) {
        precondition(top >= 0 && left >= 0 && bottom >= 0 && right >= 0,
                     "padding must not be negative: (\(top), \(left), \(bottom), \(right))")
        self.top = top
        self.left = left
        self.bottom = bottom
        self.right = right
    }

    /// `height` above and below, `width` left and right.
    public init(_ height: Int, _ width: Int) {
        self.init(top: height, left: width, bottom: height, right: width)
    }

    public init(integerLiteral value: Int) { self.init(value, value) }

    public var description: String { "(top \(top), left \(left), bottom \(bottom), right \(right))" }
}

/// The complete shape of one 2-D convolution or transposed convolution,
/// with its output size inferred by the C runtime's own formula
/// (`dk_conv2d_infer` / `dk_conv_transpose2d_infer`), so that training and
/// the exported model agree. Field meanings follow `dk_conv2d_params`.
public struct Conv2dGeometry: Sendable, Equatable {
    /// Input batch, channels, height, width.
    public var n, c, h, w: Int
    /// Output channels.
    public var m: Int
    public var kh, kw: Int
    public var sh, sw: Int
    public var pt, pl, pb, pr: Int
    public var dh, dw: Int
    /// Output padding (transposed convolution only).
    public var oph, opw: Int
    public var groups: Int
    /// Output height and width.
    public private(set) var ho = 0, wo = 0
    public let transposed: Bool

    /// Nil when the configuration is impossible (the C shape function refuses it).
    public init?(input: [Int], outputChannels m: Int, kernel: Size2d, stride: Size2d, padding: Padding2d,
                 dilation: Size2d, groups: Int, outputPadding: Size2d = 0, transposed: Bool) {
        guard input.count == 4, input.allSatisfy({ $0 > 0 }), m > 0, groups > 0 else { return nil }
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        self.m = m
        (kh, kw) = (kernel.height, kernel.width)
        (sh, sw) = (stride.height, stride.width)
        (pt, pl, pb, pr) = (padding.top, padding.left, padding.bottom, padding.right)
        (dh, dw) = (dilation.height, dilation.width)
        (oph, opw) = (outputPadding.height, outputPadding.width)
        self.groups = groups
        self.transposed = transposed
        let all = [kh, kw, sh, sw, pt, pl, pb, pr, dh, dw, oph, opw]
        guard all.allSatisfy({ $0 >= 0 }), transposed || (oph == 0 && opw == 0) else { return nil }
        var p = cParams
        let status = transposed ? dk_conv_transpose2d_infer(&p) : dk_conv2d_infer(&p)
        guard status == 0 else { return nil }
        (ho, wo) = (p.ho, p.wo)
    }

    /// Input channels per group and output channels per group.
    public var cg: Int { c / groups }
    public var mg: Int { m / groups }
    public var inputShape: [Int] { [n, c, h, w] }
    public var outputShape: [Int] { [n, m, ho, wo] }
    /// `[m, c/groups, kh, kw]` for a convolution, `[c, m/groups, kh, kw]` (PyTorch's layout) transposed.
    public var weightShape: [Int] { transposed ? [c, mg, kh, kw] : [m, cg, kh, kw] }

    var cParams: dk_conv2d_params {
        var p = dk_conv2d_params()
        (p.n, p.c, p.h, p.w, p.m) = (n, c, h, w, m)
        (p.kh, p.kw, p.sh, p.sw) = (kh, kw, sh, sw)
        (p.pt, p.pl, p.pb, p.pr) = (pt, pl, pb, pr)
        (p.dh, p.dw, p.oph, p.opw) = (dh, dw, oph, opw)
        p.groups = groups
        (p.ho, p.wo) = (ho, wo)
        p.activation = DK_ACT_NONE
        p.alpha = 0
        return p
    }
}

/// The shape of one 2-D max or average pooling, output size by
/// `dk_pool2d_infer` (PyTorch's rule, ceil mode included).
public struct Pool2dGeometry: Sendable, Equatable {
    public var n, c, h, w: Int
    public var kh, kw, sh, sw: Int
    public var pt, pl, pb, pr: Int
    public var ceilMode: Bool
    /// Average pooling only: whether padded positions count in the divisor.
    public var countIncludePad: Bool
    public private(set) var ho = 0, wo = 0

    public init?(input: [Int], kernel: Size2d, stride: Size2d, padding: Padding2d, ceilMode: Bool,
                 countIncludePad: Bool = true) {
        guard input.count == 4, input.allSatisfy({ $0 > 0 }) else { return nil }
        (n, c, h, w) = (input[0], input[1], input[2], input[3])
        (kh, kw) = (kernel.height, kernel.width)
        (sh, sw) = (stride.height, stride.width)
        (pt, pl, pb, pr) = (padding.top, padding.left, padding.bottom, padding.right)
        self.ceilMode = ceilMode
        self.countIncludePad = countIncludePad
        guard [kh, kw, sh, sw, pt, pl, pb, pr].allSatisfy({ $0 >= 0 }) else { return nil }
        var p = cParams
        guard dk_pool2d_infer(&p) == 0 else { return nil }
        (ho, wo) = (p.ho, p.wo)
    }

    public var inputShape: [Int] { [n, c, h, w] }
    public var outputShape: [Int] { [n, c, ho, wo] }

    var cParams: dk_pool2d_params {
        var p = dk_pool2d_params()
        (p.n, p.c, p.h, p.w) = (n, c, h, w)
        (p.kh, p.kw, p.sh, p.sw) = (kh, kw, sh, sw)
        (p.pt, p.pl, p.pb, p.pr) = (pt, pl, pb, pr)
        p.ceil_mode = ceilMode ? 1 : 0
        p.count_include_pad = countIncludePad ? 1 : 0
        (p.ho, p.wo) = (ho, wo)
        return p
    }
}

/// Local response normalisation's constants (PyTorch's definition).
public struct LRNParameters: Sendable, Equatable {
    public var size: Int
    public var alpha: Double
    public var beta: Double
    public var k: Double

    public init(size: Int, alpha: Double = 1e-4, beta: Double = 0.75, k: Double = 1) {
        precondition(size >= 1, "localResponseNorm: size must be at least 1, got \(size)")
        self.size = size
        self.alpha = alpha
        self.beta = beta
        self.k = k
    }
}
