import DLRuntime

/// A character-level language model run by the C runtime, and its contract
/// (docs/FORMAT.md, "Character-level models"): one input, the f32 id of one
/// character per run, [N, 1]; one output, the next character's logits [N, 1, V]
/// or [N, V]; metadata `vocabulary`, a string array whose entry i is the
/// single character of id i.
public final class CharacterModel {
    public let model: Model
    public let path: String
    /// Entry i is the character of token id i.
    public let vocabulary: [Character]
    private let ids: [Character: Int]

    static let expected = "a character-level model: input ids [N, 1] (one character per run), output logits "
        + "[N, 1, V] or [N, V], metadata 'vocabulary' a string array of V single characters"

    public convenience init(path: String) throws {
        let model: Model
        do { model = try Model(path: path) } catch { throw GenError.model("cannot load '\(path)': \(error)") }
        try self.init(model: model, path: path)
    }

    public init(model: Model, path: String = "<model>") throws {
        func refuse(_ why: String) -> GenError { .model("'\(path)' is not \(Self.expected): \(why)") }
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw refuse("it has \(model.inputs.count) inputs and \(model.outputs.count) outputs, not 1 and 1")
        }
        let input = model.inputs[0].shape, output = model.outputs[0].shape
        guard input.count == 2, input[1] == 1 else {
            throw refuse("its input is \(input), not [N, 1] (a model stored with T = 1)")
        }
        guard output.count == 2 || (output.count == 3 && output[1] == 1) else {
            throw refuse("its output is \(output), not [N, 1, V] or [N, V]")
        }
        guard let entries = model.strings("vocabulary") else {
            throw refuse(model.metadata("vocabulary") == nil ? "it has no metadata 'vocabulary'"
                : "its metadata 'vocabulary' is not a string array")
        }
        var vocabulary: [Character] = [], ids: [Character: Int] = [:]
        for (id, entry) in entries.enumerated() {
            guard entry.count == 1, let character = entry.first else {
                throw refuse("vocabulary entry \(id) is \(entry.debugDescription), not one character")
            }
            if let earlier = ids[character] {
                throw refuse("vocabulary entries \(earlier) and \(id) are both \(character.quoted)")
            }
            ids[character] = id
            vocabulary.append(character)
        }
        let logitCount = output[output.count - 1]
        guard vocabulary.count == logitCount else {
            throw refuse("its vocabulary has \(vocabulary.count) characters but its logits have \(logitCount)")
        }
        self.model = model
        self.path = path
        self.vocabulary = vocabulary
        self.ids = ids
    }

    /// A newline when the vocabulary has one (text starts after a line
    /// break), else its first character: some input is needed before the
    /// model predicts anything.
    public var defaultPrime: String { ids["\n"] != nil ? "\n" : String(vocabulary[0]) }

    /// The ids of `text`'s characters; every character must be in the vocabulary.
    public func ids(of text: String) throws -> [Int] {
        var unknown: [Character] = []
        let result = text.compactMap { character -> Int? in
            guard let id = ids[character] else {
                if !unknown.contains(character) { unknown.append(character) }
                return nil
            }
            return id
        }
        guard unknown.isEmpty else {
            throw GenError.invalidArgument("the prime has characters outside the vocabulary of '\(path)': "
                + unknown.map(\.quoted).joined(separator: ", "))
        }
        return result
    }
}

extension Character {
    /// 'a', '\n', '\'': readable in a message even when it is a control character.
    var quoted: String { "'" + unicodeScalars.map { $0.escaped(asASCII: false) }.joined() + "'" }
}
