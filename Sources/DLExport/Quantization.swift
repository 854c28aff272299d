/// How an integer tensor maps to real numbers: `real = scale * (q - zero_point)`.
///
/// Carried by the format from v1 so that int8/uint8 weights can be added
/// without a format change, even though every v1 op computes in f32.
public enum Quantization: Hashable, Sendable {
    case none
    /// One scale and zero point for the whole tensor (stored with axis -1, qcount 1).
    case perTensor(scale: Float, zeroPoint: Int32)
    /// One scale and zero point per index of `axis`; both arrays have `dims[axis]` entries.
    case perChannel(axis: Int, scales: [Float], zeroPoints: [Int32])

    /// The on-disk `u8 quantization`.
    public var code: UInt8 {
        switch self {
        case .none: return 0
        case .perTensor: return 1
        case .perChannel: return 2
        }
    }

    /// Checks the rules of docs/FORMAT.md ("TENSORS") for a tensor of this type and shape.
    func validate(dtype: DType, shape: [Int], tensor name: String) throws {
        let scales: [Float]
        let zeroPoints: [Int32]
        switch self {
        case .none:
            return
        case .perTensor(let scale, let zeroPoint):
            scales = [scale]
            zeroPoints = [zeroPoint]
        case .perChannel(let axis, let channelScales, let channelZeroPoints):
            guard shape.indices.contains(axis) else {
                throw ExportError.invalidArgument(
                    "tensor '\(name)': quantization axis \(axis) is outside rank \(shape.count)")
            }
            guard channelScales.count == shape[axis], channelZeroPoints.count == shape[axis] else {
                throw ExportError.invalidArgument(
                    "tensor '\(name)': per-channel quantization needs \(shape[axis]) scales and zero points "
                        + "(dims[\(axis)]), got \(channelScales.count) and \(channelZeroPoints.count)")
            }
            scales = channelScales
            zeroPoints = channelZeroPoints
        }
        if let bad = scales.first(where: { !$0.isFinite || $0 <= 0 }) {
            throw ExportError.invalidArgument("tensor '\(name)': quantization scale \(bad) is not finite and > 0")
        }
        if let bad = zeroPoints.first(where: { !dtype.zeroPointRange.contains(Int64($0)) }) {
            throw ExportError.invalidArgument("tensor '\(name)': zero point \(bad) is outside the range of \(dtype)")
        }
    }
}
