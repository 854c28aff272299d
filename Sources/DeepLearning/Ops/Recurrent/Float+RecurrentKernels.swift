import CRuntime.Kernels

/// Float's recurrent kernels: the shared loops (`RecurrentLoops.swift`),
/// with the gate nonlinearities on the C runtime's vectorised sigmoid and
/// tanh (called without a pool: a step's rows are short, and the step's
/// GEMMs already use the threads).
extension Float: RecurrentKernels {
    public static func gateActivation(_ activation: GateActivation, _ x: UnsafeMutablePointer<Float>, count: Int) {
        dk_activation_forward(nil, activation == .sigmoid ? DK_ACT_SIGMOID : DK_ACT_TANH, 0, x, x, count)
    }
}
