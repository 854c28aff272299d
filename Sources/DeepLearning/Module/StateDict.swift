/// Named tensors in a fixed order: a module's parameters and buffers by
/// dotted name (`layer1.0.conv1.weight`), as `stateDict()` returns them.
///
/// Ordered (registration order, like PyTorch's `OrderedDict`) so that a
/// checkpoint file lists tensors in model order and two saves of one model
/// are byte-identical; looked up by name like a dictionary.
public struct StateDict<Scalar: TensorScalar>: Sequence, Equatable, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: Tensor<Scalar>)

    public private(set) var keys: [String] = []
    private var values: [String: Tensor<Scalar>] = [:]

    public init() {}

    /// Entries in `entries` order; a repeated key keeps its first position and last value.
    public init<S: Sequence>(_ entries: S) where S.Element == (String, Tensor<Scalar>) {
        for (key, value) in entries { self[key] = value }
    }

    /// `dictionary`'s entries in sorted key order (a Swift dictionary has none of its own).
    public init(_ dictionary: [String: Tensor<Scalar>]) {
        self.init(dictionary.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
    }

    public init(dictionaryLiteral elements: (String, Tensor<Scalar>)...) {
        self.init(elements)
    }

    public var count: Int { keys.count }
    public var isEmpty: Bool { keys.isEmpty }

    /// The tensor named `key`; setting a new key appends it, setting nil removes it.
    public subscript(key: String) -> Tensor<Scalar>? {
        get { values[key] }
        set {
            if let newValue {
                if values.updateValue(newValue.detached(), forKey: key) == nil { keys.append(key) }
            } else if values.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// The entries as an unordered dictionary.
    public var dictionary: [String: Tensor<Scalar>] { values }

    public func makeIterator() -> AnyIterator<Element> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            return (keys[index], values[keys[index]]!)
        }
    }

    public static func == (lhs: StateDict, rhs: StateDict) -> Bool {
        lhs.keys == rhs.keys && lhs.values == rhs.values
    }
}
