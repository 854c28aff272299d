import DLSupport

/// A character-level text corpus (the seeds' "learn to be a poet", char-rnn's
/// tiny-shakespeare): the vocabulary is the sorted set of Unicode scalars in
/// the text, token i is `vocabulary[i]`, and the text is split into the first
/// `1 - validationFraction` for training and the rest for validation, in
/// order (a language model's validation text must not be interleaved with
/// its training text).
///
/// Unicode scalars rather than `Character`s: a grapheme cluster such as
/// "\r\n" would otherwise become one token, and the C runtime's `dlgen`
/// works on scalars.
public struct TextCorpus: Sendable {
    public let path: String
    public let vocabulary: [Unicode.Scalar]
    public let train: [Int]
    public let validation: [Int]

    /// Reads and splits `path`. Refuses a missing or empty file, one that is
    /// not UTF-8 text (invalid UTF-8, or NUL and other control characters
    /// that text does not hold), and one whose splits are shorter than
    /// `minimumLength` characters each.
    public static func load(_ path: String, validationFraction: Double = 0.1, minimumLength: Int = 2) throws -> TextCorpus {
        guard FileIO.exists(path) else { throw DataError.notFound(path: path, message: "no such text file") }
        guard !FileIO.isDirectory(path) else {
            throw DataError.invalidFormat(path: path, message: "is a directory; a character model trains on one text file")
        }
        let bytes: [UInt8]
        do {
            bytes = try FileIO.read(path)
        } catch {
            throw DataError.invalidFormat(path: path, message: "cannot read it: \(error)")
        }
        let scalars = try decode(bytes, path: path)
        let vocabulary = Array(Set(scalars)).sorted { $0.value < $1.value }
        let index = Self.tokenIndex(vocabulary)
        let tokens = scalars.map { index[$0]! }
        let trainCount = Int((Double(tokens.count) * (1 - validationFraction)).rounded())
        let (trainPart, validationPart) = (Array(tokens[..<trainCount]), Array(tokens[trainCount...]))
        for (name, part) in [("training", trainPart), ("validation", validationPart)] where part.count < minimumLength {
            throw DataError.invalidFormat(path: path, message: "the text has \(tokens.count) characters; its \(name) split (\(part.count)) is shorter than one sequence of \(minimumLength) characters")
        }
        return TextCorpus(path: path, vocabulary: vocabulary, train: trainPart, validation: validationPart)
    }

    /// The scalars of UTF-8 `bytes`, or an error naming the first offence.
    static func decode(_ bytes: [UInt8], path: String) throws -> [Unicode.Scalar] {
        guard !bytes.isEmpty else { throw DataError.invalidFormat(path: path, message: "the file is empty") }
        var scalars: [Unicode.Scalar] = []
        scalars.reserveCapacity(bytes.count)
        var decoder = UTF8()
        var iterator = bytes.makeIterator()
        var offset = 0
        loop: while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                if scalar.value < 0x20 && !["\n", "\r", "\t"].contains(scalar) || scalar.value == 0x7F {
                    throw DataError.invalidFormat(path: path, message: formatted("not text: control character U+%04X near byte %d (a binary file?)", Int(scalar.value), offset))
                }
                scalars.append(scalar)
                offset += UTF8.width(scalar)
            case .emptyInput:
                break loop
            case .error:
                throw DataError.invalidFormat(path: path, message: "not UTF-8 text: invalid byte sequence near byte \(offset) (a binary file?)")
            }
        }
        return scalars
    }

    /// The tokens of `text`, or the characters of it outside the vocabulary.
    public func encode(_ text: String) -> Result<[Int], UnknownCharacters> {
        let index = Self.tokenIndex(vocabulary)
        var tokens: [Int] = []
        var unknown: [Unicode.Scalar] = []
        for scalar in text.unicodeScalars {
            if let token = index[scalar] { tokens.append(token) } else if !unknown.contains(scalar) { unknown.append(scalar) }
        }
        return unknown.isEmpty ? .success(tokens) : .failure(UnknownCharacters(characters: unknown))
    }

    /// Scalar -> token id.
    static func tokenIndex(_ vocabulary: [Unicode.Scalar]) -> [Unicode.Scalar: Int] {
        Dictionary(uniqueKeysWithValues: vocabulary.enumerated().map { ($1, $0) })
    }

    public func decode(_ tokens: [Int]) -> String {
        var text = String.UnicodeScalarView()
        text.append(contentsOf: tokens.map { vocabulary[$0] })
        return String(text)
    }
}

/// Characters that are not in a model's vocabulary, for an error message.
public struct UnknownCharacters: Error, Equatable, CustomStringConvertible {
    public let characters: [Unicode.Scalar]
    public var description: String {
        characters.map { "'\($0.escaped(asASCII: false))'" }.joined(separator: ", ")
    }
}
