import CRuntime

/// A tensor's description, copied out of the C runtime into Swift values so
/// that it stays valid independently of the model.
public struct TensorInfo: Hashable, Sendable {
    /// Element types (`dlrt_dtype`).
    public enum DType: UInt32, Hashable, Sendable {
        case f32 = 1
        case i8 = 2
        case u8 = 3
        case i32 = 4
    }

    /// `real = scale * (q - zeroPoint)`; per channel along `axis`.
    public enum Quantization: Hashable, Sendable {
        case none
        case perTensor(scale: Float, zeroPoint: Int32)
        case perChannel(axis: Int, scales: [Float], zeroPoints: [Int32])
    }

    public let name: String
    public let dtype: DType
    public let shape: [Int]
    public let quantization: Quantization

    public init(name: String, dtype: DType, shape: [Int], quantization: Quantization = .none) {
        self.name = name
        self.dtype = dtype
        self.shape = shape
        self.quantization = quantization
    }

    public var elementCount: Int { shape.reduce(1, *) }

    /// Reads a `dlrt_tensor_info` through one of the `*_info` getters.
    static func read(_ getter: (UnsafeMutablePointer<dlrt_tensor_info>) -> dlrt_status, what: String) throws
        -> TensorInfo
    {
        var info = dlrt_tensor_info()
        info.struct_size = MemoryLayout<dlrt_tensor_info>.size
        try DLRuntimeError.check(getter(&info), what)
        return try TensorInfo(info, what: what)
    }

    init(_ info: dlrt_tensor_info, what: String) throws {
        guard let dtype = DType(rawValue: info.dtype.rawValue) else {
            throw DLRuntimeError(status: .internal, message: "\(what): unknown dtype \(info.dtype.rawValue)")
        }
        let rank = Int(info.rank)
        guard rank <= Int(DLRT_MAX_RANK) else {
            throw DLRuntimeError(status: .internal, message: "\(what): rank \(rank) exceeds \(DLRT_MAX_RANK)")
        }
        let shape = withUnsafeBytes(of: info.shape) { raw in
            raw.bindMemory(to: Int64.self).prefix(rank).map { Int($0) }
        }
        let count = Int(info.quant_count)
        let scales = info.scales.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        let zeroPoints = info.zero_points.map { Array(UnsafeBufferPointer(start: $0, count: count)) } ?? []
        let quantization: Quantization
        switch info.quantization {
        case DLRT_QUANT_NONE:
            quantization = .none
        case DLRT_QUANT_PER_TENSOR where scales.count == 1 && zeroPoints.count == 1:
            quantization = .perTensor(scale: scales[0], zeroPoint: zeroPoints[0])
        case DLRT_QUANT_PER_CHANNEL where scales.count == count && zeroPoints.count == count:
            quantization = .perChannel(axis: Int(info.quant_axis), scales: scales, zeroPoints: zeroPoints)
        default:
            throw DLRuntimeError(status: .internal,
                                 message: "\(what): inconsistent quantization \(info.quantization.rawValue)")
        }
        self.init(name: info.name.map { String(cString: $0) } ?? "", dtype: dtype, shape: shape,
                  quantization: quantization)
    }
}
