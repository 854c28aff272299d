/// A node attribute key (docs/FORMAT.md, "Attribute keys"). A struct so that
/// tests can write keys an op does not take.
public struct AttributeKey: RawRepresentable, Hashable, Sendable {
    public var rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    public static let strides = AttributeKey(rawValue: 1)
    public static let pads = AttributeKey(rawValue: 2)
    public static let dilations = AttributeKey(rawValue: 3)
    public static let groups = AttributeKey(rawValue: 4)
    public static let activation = AttributeKey(rawValue: 5)
    public static let alpha = AttributeKey(rawValue: 6)
    public static let beta = AttributeKey(rawValue: 7)
    public static let lrnK = AttributeKey(rawValue: 8)
    public static let size = AttributeKey(rawValue: 9)
    public static let kernel = AttributeKey(rawValue: 10)
    public static let ceilMode = AttributeKey(rawValue: 11)
    public static let countIncludePad = AttributeKey(rawValue: 12)
    public static let axis = AttributeKey(rawValue: 13)
    public static let epsilon = AttributeKey(rawValue: 14)
    public static let shape = AttributeKey(rawValue: 15)
    public static let outputPadding = AttributeKey(rawValue: 16)
    public static let value = AttributeKey(rawValue: 17)
}

/// One attribute as stored: a key and 1..64 values of one type.
public struct Attribute: Hashable, Sendable {
    /// The on-disk value types (`u16 type`: 1 i64, 2 f32).
    public enum Value: Hashable, Sendable {
        case i64([Int64])
        case f32([Float])

        var typeCode: UInt16 {
            switch self {
            case .i64: return 1
            case .f32: return 2
            }
        }

        var count: Int {
            switch self {
            case .i64(let values): return values.count
            case .f32(let values): return values.count
            }
        }
    }

    public var key: AttributeKey
    public var value: Value

    public init(_ key: AttributeKey, _ value: Value) {
        self.key = key
        self.value = value
    }

    public static func ints(_ key: AttributeKey, _ values: [Int]) -> Attribute {
        Attribute(key, .i64(values.map { Int64($0) }))
    }

    public static func int(_ key: AttributeKey, _ value: Int) -> Attribute {
        Attribute(key, .i64([Int64(value)]))
    }

    public static func float(_ key: AttributeKey, _ value: Float) -> Attribute {
        Attribute(key, .f32([value]))
    }
}

/// A fused activation (the `activation` attribute of conv2d, conv_transpose2d,
/// dense and add). Its values are the kernels' `dk_activation` codes.
public enum Activation: Hashable, Sendable {
    case none
    case relu
    /// Leaky ReLU with slope `alpha` for negative inputs.
    case leakyRelu(alpha: Float)
    case sigmoid
    case tanh
    case relu6

    public var code: Int64 {
        switch self {
        case .none: return 0
        case .relu: return 1
        case .leakyRelu: return 2
        case .sigmoid: return 3
        case .tanh: return 4
        case .relu6: return 5
        }
    }

    /// The attributes that encode this activation; none for `.none`, the default.
    var attributes: [Attribute] {
        switch self {
        case .none: return []
        case .leakyRelu(let alpha): return [Attribute(.activation, .i64([code])), .float(.alpha, alpha)]
        default: return [Attribute(.activation, .i64([code]))]
        }
    }
}
