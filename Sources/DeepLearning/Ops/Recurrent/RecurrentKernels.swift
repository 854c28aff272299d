/// The pointwise halves of one recurrent time step, following
/// `TensorScalar`'s dispatch pattern: the matrix products of a step run on
/// `gemm` in the sequence ops (`Tensor.lstmSequence` and friends); what is
/// left, the gate nonlinearities and the state update, is one pass over
/// `batch` rows of `hidden` values. The passes are written once, as this
/// protocol's default implementations (RecurrentLoops.swift); `Float` and
/// `Double` conform with them, and each conformance's witnesses are compiled
/// for its concrete type, so the loops run specialised although the sequence
/// ops calling them are generic.
///
/// Buffers are rows: row b of a buffer starts at `pointer + b * stride`, so a
/// kernel reads time step t of a batch-first [B, T, F] tensor in place
/// (pointer at t * F, stride T * F). Gate blocks within a row follow
/// PyTorch: LSTM i, f, g, o and GRU r, z, n, each `hidden` wide.
public protocol RecurrentKernels {
    /// `gates` holds the pre-activations x·W_ihᵀ + b + h·W_hhᵀ and is
    /// overwritten with the activations (σ(i), σ(f), tanh(g), σ(o)), which
    /// the backward step reads. Writes c = f·c_prev + i·g and h = o·tanh(c).
    static func lstmStepForward(_ s: RecurrentStep, gates: Rows<Self>, cPrev: ConstRows<Self>,
                                h: Rows<Self>, c: Rows<Self>)
    /// dh = dhOut + dhCarry and dc = dcOut + dcCarry (+ the path through h);
    /// writes the pre-activation gradients to `dGates` and dc·f, the
    /// gradient of c_prev, back into `dcCarry` ([B, H], contiguous).
    static func lstmStepBackward(_ s: RecurrentStep, gates: ConstRows<Self>, cPrev: ConstRows<Self>,
                                 c: ConstRows<Self>, dhOut: ConstRows<Self>, dcOut: ConstRows<Self>,
                                 dhCarry: UnsafePointer<Self>, dcCarry: UnsafeMutablePointer<Self>,
                                 dGates: Rows<Self>)
    /// `x` holds x·W_ihᵀ + b_ih and `hh` h_prev·W_hhᵀ + b_hh, both [r z n].
    /// Writes the activations (r, z, n) to `gates`, the hidden part of n's
    /// pre-activation (W_hn·h + b_hn, which r multiplies) to `hn`, and
    /// h = (1 - z)·n + z·h_prev.
    static func gruStepForward(_ s: RecurrentStep, x: ConstRows<Self>, hh: ConstRows<Self>,
                               hPrev: ConstRows<Self>, gates: Rows<Self>, hn: Rows<Self>, h: Rows<Self>)
    /// dh = dhOut + dhCarry. Writes the gradient of x's pre-activations to
    /// `dx`, of the hidden projection (with b_hh) to `dhh`, and dh·z, the
    /// direct part of the gradient of h_prev, to `dhCarry`.
    static func gruStepBackward(_ s: RecurrentStep, gates: ConstRows<Self>, hn: ConstRows<Self>,
                                hPrev: ConstRows<Self>, dhOut: ConstRows<Self>,
                                dhCarry: UnsafeMutablePointer<Self>, dx: Rows<Self>, dhh: Rows<Self>)
    /// `count` values at `x` through `activation`, in place: the one
    /// transcendental pass of every step. The default is a Swift loop; Float
    /// sends it to the C runtime's vectorised sigmoid and tanh.
    static func gateActivation(_ activation: GateActivation, _ x: UnsafeMutablePointer<Self>, count: Int)
    /// h = tanh(h) in place (h holds the pre-activation).
    static func rnnStepForward(_ s: RecurrentStep, h: Rows<Self>)
    /// dPre = (dhOut + dhCarry)·(1 - h²).
    static func rnnStepBackward(_ s: RecurrentStep, h: ConstRows<Self>, dhOut: ConstRows<Self>,
                                dhCarry: UnsafePointer<Self>, dPre: Rows<Self>)
}

/// The nonlinearities of the gates.
public enum GateActivation: Sendable {
    case sigmoid, tanh
}

/// The extent of one step: `batch` rows of `hidden` values (per gate).
public struct RecurrentStep: Sendable {
    public let batch: Int
    public let hidden: Int
}

/// Rows of a buffer that a kernel writes: row b starts at `base + b * stride`.
public struct Rows<Scalar> {
    public let base: UnsafeMutablePointer<Scalar>
    public let stride: Int
    @inline(__always) public subscript(row: Int) -> UnsafeMutablePointer<Scalar> { base + row * stride }
    public var const: ConstRows<Scalar> { ConstRows(base: UnsafePointer(base), stride: stride) }
    /// The rows `offset` values further along (another gate block or time step).
    public func advanced(by offset: Int) -> Rows { Rows(base: base + offset, stride: stride) }
}

/// Rows of a buffer that a kernel reads.
public struct ConstRows<Scalar> {
    public let base: UnsafePointer<Scalar>
    public let stride: Int
    @inline(__always) public subscript(row: Int) -> UnsafePointer<Scalar> { base + row * stride }
    public func advanced(by offset: Int) -> ConstRows { ConstRows(base: base + offset, stride: stride) }
}

extension Double: RecurrentKernels {}
