import CRuntime.Kernels

/// Output sizes of the windowed ops, computed by the C runtime's own shape
/// functions. The loader checks every stored shape against these same
/// functions, so calling them here (rather than re-deriving the formulas in
/// Swift) means a file this writer produces can never disagree with the
/// reader about padding, dilation or ceil-mode rounding.
enum ShapeInference {
    /// A 2-d window configuration, shared by convolutions and pools.
    struct Window {
        var kernel: (h: Int, w: Int)
        var stride: (h: Int, w: Int)
        var padding: (top: Int, left: Int, bottom: Int, right: Int)
        var dilation: (h: Int, w: Int) = (1, 1)
        var outputPadding: (h: Int, w: Int) = (0, 0)

        var summary: String {
            "kernel \(kernel.h)x\(kernel.w), stride \(stride.h)x\(stride.w), "
                + "padding (\(padding.top), \(padding.left), \(padding.bottom), \(padding.right)), "
                + "dilation \(dilation.h)x\(dilation.w)"
        }

        /// Every field is a size_t on the C side: refuse negatives before they wrap.
        func checkNonNegative(_ what: String) throws {
            let values = [kernel.h, kernel.w, stride.h, stride.w, padding.top, padding.left, padding.bottom,
                          padding.right, dilation.h, dilation.w, outputPadding.h, outputPadding.w]
            guard values.allSatisfy({ $0 >= 0 }) else {
                throw ExportError.shape("\(what): negative window parameter (\(summary))")
            }
        }
    }

    /// (Ho, Wo) of conv2d over an [n, c, h, w] input with `m` output channels.
    static func conv2d(input: [Int], outputChannels m: Int, groups: Int, window: Window, what: String) throws
        -> (Int, Int)
    {
        try window.checkNonNegative(what)
        var p = convParams(input: input, outputChannels: m, groups: groups, window: window)
        guard dk_conv2d_infer(&p) == 0, p.ho > 0, p.wo > 0 else {
            throw ExportError.shape(
                "\(what): no valid output size for input \(input) with \(window.summary), groups \(groups)")
        }
        return (p.ho, p.wo)
    }

    /// (Ho, Wo) of conv_transpose2d.
    static func convTranspose2d(input: [Int], outputChannels m: Int, groups: Int, window: Window, what: String)
        throws -> (Int, Int)
    {
        try window.checkNonNegative(what)
        var p = convParams(input: input, outputChannels: m, groups: groups, window: window)
        guard dk_conv_transpose2d_infer(&p) == 0, p.ho > 0, p.wo > 0 else {
            throw ExportError.shape(
                "\(what): no valid output size for input \(input) with \(window.summary), output padding "
                    + "\(window.outputPadding.h)x\(window.outputPadding.w), groups \(groups) "
                    + "(output padding must be smaller than the stride or the dilation)")
        }
        return (p.ho, p.wo)
    }

    /// (Ho, Wo) of max/avg pooling, PyTorch's rule (ceil mode included).
    static func pool2d(input: [Int], window: Window, ceilMode: Bool, countIncludePad: Bool, what: String) throws
        -> (Int, Int)
    {
        try window.checkNonNegative(what)
        var p = dk_pool2d_params()
        p.n = input[0]
        p.c = input[1]
        p.h = input[2]
        p.w = input[3]
        p.kh = window.kernel.h
        p.kw = window.kernel.w
        p.sh = window.stride.h
        p.sw = window.stride.w
        p.pt = window.padding.top
        p.pl = window.padding.left
        p.pb = window.padding.bottom
        p.pr = window.padding.right
        p.ceil_mode = ceilMode ? 1 : 0
        p.count_include_pad = countIncludePad ? 1 : 0
        guard dk_pool2d_infer(&p) == 0, p.ho > 0, p.wo > 0 else {
            throw ExportError.shape(
                "\(what): no valid output size for input \(input) with \(window.summary)"
                    + (ceilMode ? ", ceil mode" : ""))
        }
        return (p.ho, p.wo)
    }

    private static func convParams(input: [Int], outputChannels m: Int, groups: Int, window: Window)
        -> dk_conv2d_params
    {
        var p = dk_conv2d_params()
        p.n = input[0]
        p.c = input[1]
        p.h = input[2]
        p.w = input[3]
        p.m = m
        p.kh = window.kernel.h
        p.kw = window.kernel.w
        p.sh = window.stride.h
        p.sw = window.stride.w
        p.pt = window.padding.top
        p.pl = window.padding.left
        p.pb = window.padding.bottom
        p.pr = window.padding.right
        p.dh = window.dilation.h
        p.dw = window.dilation.w
        p.oph = window.outputPadding.h
        p.opw = window.outputPadding.w
        p.groups = groups
        return p
    }
}
