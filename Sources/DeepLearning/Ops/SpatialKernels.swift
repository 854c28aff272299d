/// The kernels behind the convolution, pooling and normalisation ops,
/// following `TensorScalar`'s dispatch pattern: `Float` runs the C runtime's
/// `dk_<op>_forward` / `dk_<op>_backward` (on `ComputePool`), `Double` a
/// plain Swift reference used for finite-difference gradient checks.
///
/// All buffers are contiguous NCHW (or `[n, c, inner]`). Gradient outputs are
/// overwritten, never accumulated; a nil gradient pointer is not computed,
/// and an input that only it needs may then be nil too (as in `ops.h`).
/// Output buffers may hold garbage on entry.
public protocol SpatialKernels {
    // MARK: convolution

    /// x `g.inputShape`, weight `g.weightShape`, bias [m] or nil, y `g.outputShape`.
    static func conv2dForward(_ g: Conv2dGeometry, x: UnsafePointer<Self>, weight: UnsafePointer<Self>,
                              bias: UnsafePointer<Self>?, y: UnsafeMutablePointer<Self>)
    /// x may be nil when dWeight is, weight when dx is.
    static func conv2dBackward(_ g: Conv2dGeometry, x: UnsafePointer<Self>?, weight: UnsafePointer<Self>?,
                               dy: UnsafePointer<Self>, dx: UnsafeMutablePointer<Self>?,
                               dWeight: UnsafeMutablePointer<Self>?, dBias: UnsafeMutablePointer<Self>?)
    static func convTranspose2dForward(_ g: Conv2dGeometry, x: UnsafePointer<Self>, weight: UnsafePointer<Self>,
                                       bias: UnsafePointer<Self>?, y: UnsafeMutablePointer<Self>)
    static func convTranspose2dBackward(_ g: Conv2dGeometry, x: UnsafePointer<Self>?, weight: UnsafePointer<Self>?,
                                        dy: UnsafePointer<Self>, dx: UnsafeMutablePointer<Self>?,
                                        dWeight: UnsafeMutablePointer<Self>?, dBias: UnsafeMutablePointer<Self>?)

    // MARK: pooling

    static func maxPool2dForward(_ g: Pool2dGeometry, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    /// The argmax is recomputed from x (PyTorch's choice: first maximum, NaN wins).
    static func maxPool2dBackward(_ g: Pool2dGeometry, x: UnsafePointer<Self>, dy: UnsafePointer<Self>,
                                  dx: UnsafeMutablePointer<Self>)
    static func avgPool2dForward(_ g: Pool2dGeometry, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    static func avgPool2dBackward(_ g: Pool2dGeometry, dy: UnsafePointer<Self>, dx: UnsafeMutablePointer<Self>)
    /// x [n, c, hw] -> y [n, c].
    static func globalAvgPoolForward(n: Int, c: Int, hw: Int, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    static func globalAvgPoolBackward(n: Int, c: Int, hw: Int, dy: UnsafePointer<Self>, dx: UnsafeMutablePointer<Self>)

    // MARK: normalisation

    /// Across channels of [n, c, hw].
    static func lrnForward(_ p: LRNParameters, n: Int, c: Int, hw: Int, x: UnsafePointer<Self>,
                           y: UnsafeMutablePointer<Self>)
    static func lrnBackward(_ p: LRNParameters, n: Int, c: Int, hw: Int, x: UnsafePointer<Self>,
                            dy: UnsafePointer<Self>, dx: UnsafeMutablePointer<Self>)
    /// Training-mode batch norm over [n, c, inner]: batch mean and biased
    /// variance per channel; writes saveMean / saveInvstd [c]; updates the
    /// running statistics (unbiased variance) when given. gamma / beta nil mean 1 / 0.
    static func batchNormTrainForward(n: Int, c: Int, inner: Int, x: UnsafePointer<Self>,
                                      gamma: UnsafePointer<Self>?, beta: UnsafePointer<Self>?,
                                      eps: Self, momentum: Self,
                                      runningMean: UnsafeMutablePointer<Self>?, runningVar: UnsafeMutablePointer<Self>?,
                                      saveMean: UnsafeMutablePointer<Self>, saveInvstd: UnsafeMutablePointer<Self>,
                                      y: UnsafeMutablePointer<Self>)
    /// Its backward through the batch statistics. gamma nil means 1.
    static func batchNormBackward(n: Int, c: Int, inner: Int, x: UnsafePointer<Self>, dy: UnsafePointer<Self>,
                                  gamma: UnsafePointer<Self>?, saveMean: UnsafePointer<Self>,
                                  saveInvstd: UnsafePointer<Self>, dx: UnsafeMutablePointer<Self>?,
                                  dGamma: UnsafeMutablePointer<Self>?, dBeta: UnsafeMutablePointer<Self>?)
    /// y = x * scale[c] + shift[c] over [n, c, inner] (evaluation-mode batch norm).
    static func channelAffineForward(n: Int, c: Int, inner: Int, scale: UnsafePointer<Self>,
                                     shift: UnsafePointer<Self>, x: UnsafePointer<Self>, y: UnsafeMutablePointer<Self>)
    /// dx = dy * scale, dScale = Σ dy * x (x may be nil when dScale is), dShift = Σ dy.
    static func channelAffineBackward(n: Int, c: Int, inner: Int, x: UnsafePointer<Self>?, scale: UnsafePointer<Self>,
                                      dy: UnsafePointer<Self>, dx: UnsafeMutablePointer<Self>?,
                                      dScale: UnsafeMutablePointer<Self>?, dShift: UnsafeMutablePointer<Self>?)
}
