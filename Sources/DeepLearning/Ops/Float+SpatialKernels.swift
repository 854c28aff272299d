import CRuntime.Kernels

/// Float: every spatial kernel is the C runtime's (`ops.h`), run on
/// `ComputePool`. Scratch memory is sized by the kernel's
/// `*_workspace_floats` for the pool actually borrowed and allocated per
/// call (64-byte aligned, as the kernels require).
extension Float: SpatialKernels {
    /// Runs `body` with the pool and a workspace of `floats(threads)` floats.
    private static func withWorkspace<R>(_ what: String, floats: (Int32) -> Int,
                                         _ body: (OpaquePointer?, UnsafeMutablePointer<Float>?) -> R) -> R {
        ComputePool.withPool { pool in
            let count = floats(dk_pool_threads(pool))
            // SIZE_MAX (imported as -1) reports an overflowing configuration.
            precondition(count >= 0, "\(what): the workspace size overflows")
            if count == 0 { return body(pool, nil) }
            let raw = UnsafeMutableRawPointer.allocate(byteCount: count * MemoryLayout<Float>.stride, alignment: 64)
            defer { raw.deallocate() }
            return body(pool, raw.bindMemory(to: Float.self, capacity: count))
        }
    }

    public static func conv2dForward(_ g: Conv2dGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        var p = g.cParams
        withWorkspace("conv2d", floats: { dk_conv2d_workspace_floats(&p, $0) }) { pool, ws in
            dk_conv2d_forward(pool, &p, x, weight, bias, y, ws)
        }
    }

    public static func conv2dBackward(_ g: Conv2dGeometry, x: UnsafePointer<Float>?, weight: UnsafePointer<Float>?,
                                      dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                      dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?) {
        var p = g.cParams
        withWorkspace("conv2d backward", floats: { dk_conv2d_backward_workspace_floats(&p, $0) }) { pool, ws in
            dk_conv2d_backward(pool, &p, x, weight, dy, dx, dWeight, dBias, 0, ws)
        }
    }

    public static func convTranspose2dForward(_ g: Conv2dGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                              bias: UnsafePointer<Float>?, y: UnsafeMutablePointer<Float>) {
        var p = g.cParams
        withWorkspace("convTranspose2d", floats: { dk_conv_transpose2d_workspace_floats(&p, $0) }) { pool, ws in
            dk_conv_transpose2d_forward(pool, &p, x, weight, bias, y, ws)
        }
    }

    public static func convTranspose2dBackward(_ g: Conv2dGeometry, x: UnsafePointer<Float>?, weight: UnsafePointer<Float>?,
                                               dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                               dWeight: UnsafeMutablePointer<Float>?, dBias: UnsafeMutablePointer<Float>?) {
        var p = g.cParams
        withWorkspace("convTranspose2d backward",
                      floats: { dk_conv_transpose2d_backward_workspace_floats(&p, $0) }) { pool, ws in
            dk_conv_transpose2d_backward(pool, &p, x, weight, dy, dx, dWeight, dBias, 0, ws)
        }
    }

    public static func maxPool2dForward(_ g: Pool2dGeometry, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        var p = g.cParams
        ComputePool.withPool { dk_max_pool2d_forward($0, &p, x, y) }
    }

    public static func maxPool2dBackward(_ g: Pool2dGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                         dx: UnsafeMutablePointer<Float>) {
        var p = g.cParams
        ComputePool.withPool { dk_max_pool2d_backward($0, &p, x, dy, dx, 0) }
    }

    public static func avgPool2dForward(_ g: Pool2dGeometry, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        var p = g.cParams
        ComputePool.withPool { dk_avg_pool2d_forward($0, &p, x, y) }
    }

    public static func avgPool2dBackward(_ g: Pool2dGeometry, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        var p = g.cParams
        ComputePool.withPool { dk_avg_pool2d_backward($0, &p, dy, dx, 0) }
    }

    public static func globalAvgPoolForward(n: Int, c: Int, hw: Int, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>) {
        ComputePool.withPool { dk_global_avg_pool_forward($0, n, c, hw, x, y) }
    }

    public static func globalAvgPoolBackward(n: Int, c: Int, hw: Int, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        ComputePool.withPool { dk_global_avg_pool_backward($0, n, c, hw, dy, dx, 0) }
    }

    public static func lrnForward(_ p: LRNParameters, n: Int, c: Int, hw: Int, x: UnsafePointer<Float>,
                                  y: UnsafeMutablePointer<Float>) {
        ComputePool.withPool {
            dk_lrn_forward($0, n, c, hw, p.size, Float(p.alpha), Float(p.beta), Float(p.k), x, y)
        }
    }

    public static func lrnBackward(_ p: LRNParameters, n: Int, c: Int, hw: Int, x: UnsafePointer<Float>,
                                   dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
        withWorkspace("localResponseNorm backward", floats: { dk_lrn_backward_workspace_floats(c, $0) }) { pool, ws in
            dk_lrn_backward(pool, n, c, hw, p.size, Float(p.alpha), Float(p.beta), Float(p.k), x, dy, dx, 0, ws)
        }
    }

    public static func batchNormTrainForward(n: Int, c: Int, inner: Int, x: UnsafePointer<Float>,
                                             gamma: UnsafePointer<Float>?, beta: UnsafePointer<Float>?,
                                             eps: Float, momentum: Float,
                                             runningMean: UnsafeMutablePointer<Float>?, runningVar: UnsafeMutablePointer<Float>?,
                                             saveMean: UnsafeMutablePointer<Float>, saveInvstd: UnsafeMutablePointer<Float>,
                                             y: UnsafeMutablePointer<Float>) {
        ComputePool.withPool {
            dk_batch_norm_train_forward($0, n, c, inner, x, gamma, beta, eps, momentum, runningMean, runningVar,
                                        saveMean, saveInvstd, y)
        }
    }

    public static func batchNormBackward(n: Int, c: Int, inner: Int, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                         gamma: UnsafePointer<Float>?, saveMean: UnsafePointer<Float>,
                                         saveInvstd: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                         dGamma: UnsafeMutablePointer<Float>?, dBeta: UnsafeMutablePointer<Float>?) {
        ComputePool.withPool {
            dk_batch_norm_backward($0, n, c, inner, x, dy, gamma, saveMean, saveInvstd, dx, dGamma, dBeta, 0)
        }
    }

    public static func channelAffineForward(n: Int, c: Int, inner: Int, scale: UnsafePointer<Float>,
                                            shift: UnsafePointer<Float>, x: UnsafePointer<Float>,
                                            y: UnsafeMutablePointer<Float>) {
        ComputePool.withPool { dk_channel_affine_forward($0, n, c, inner, scale, shift, x, y) }
    }

    public static func channelAffineBackward(n: Int, c: Int, inner: Int, x: UnsafePointer<Float>?,
                                             scale: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                             dx: UnsafeMutablePointer<Float>?, dScale: UnsafeMutablePointer<Float>?,
                                             dShift: UnsafeMutablePointer<Float>?) {
        ComputePool.withPool { dk_channel_affine_backward($0, n, c, inner, x, scale, dy, dx, dScale, dShift, 0) }
    }
}
