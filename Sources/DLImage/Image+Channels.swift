extension Image {
    /// Converted to 1 (luma, ITU-R BT.601 weights 0.299/0.587/0.114, rounded),
    /// 3 or 4 channels. Gray is replicated; alpha is composited over white when
    /// dropped (as decoding does by default); added alpha is opaque.
    public func converted(toChannels target: Int) throws -> Image {
        guard target == 1 || target == 3 || target == 4 else {
            throw ImageError.invalidArgument("\(target) channels (need 1, 3 or 4)")
        }
        if target == channels { return self }
        let count = width * height, source = channels
        var out = [UInt8](repeating: 0, count: count * target)
        pixels.withUnsafeBufferPointer { input in
            out.withUnsafeMutableBufferPointer { output in
                let src = input.baseAddress!, dst = output.baseAddress!
                for i in 0..<count {
                    let p = src + i * source
                    var r = UInt32(p[0]), g = r, b = r
                    if source >= 3 { g = UInt32(p[1]); b = UInt32(p[2]) }
                    let a: UInt32 = source == 4 ? UInt32(p[3]) : 255
                    if target != 4 && a != 255 {
                        r = (r * a + 255 * (255 - a) + 127) / 255
                        g = (g * a + 255 * (255 - a) + 127) / 255
                        b = (b * a + 255 * (255 - a) + 127) / 255
                    }
                    let q = dst + i * target
                    if target == 1 {
                        q[0] = UInt8((299 * r + 587 * g + 114 * b + 500) / 1000)
                    } else {
                        q[0] = UInt8(r); q[1] = UInt8(g); q[2] = UInt8(b)
                        if target == 4 { q[3] = UInt8(a) }
                    }
                }
            }
        }
        return Image(unchecked: width, height, target, out)
    }
}
