import DLRuntime
import DLSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// How well a character model predicts a text, measured in the C runtime
/// (`dlgen --score FILE`): the text is fed one character per run from a zero
/// state, and each run's logits are scored on the character that follows.
/// This is how an exported model, fp32 or with int8 weights, is compared
/// with the loss dltrain reported for its checkpoint.
public struct TextScore: Sendable, Equatable {
    /// Characters predicted (the text's length minus one).
    public let predictions: Int
    /// Mean -ln p(next character), in nats.
    public let natsPerCharacter: Double
    public var perplexity: Double { exp(natsPerCharacter) }
}

public enum TextScorer {
    public static func score(_ path: String, model: CharacterModel, threads: Int = 1) throws -> TextScore {
        let bytes: [UInt8]
        do { bytes = try FileIO.read(path) } catch { throw GenError.invalidArgument("cannot read '\(path)': \(error)") }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw GenError.invalidArgument("'\(path)' is not UTF-8 text")
        }
        let ids = try model.ids(of: text)
        guard ids.count >= 2 else { throw GenError.invalidArgument("'\(path)' holds \(ids.count) characters; scoring needs at least 2") }
        let session: Session
        do {
            session = try Session(model: model.model, threads: threads, batch: 1, keepState: true)
        } catch {
            throw GenError.model("cannot run '\(model.path)': \(error)")
        }
        var total = 0.0
        for (id, next) in zip(ids, ids.dropFirst()) {
            let logits: [Float]
            do { logits = try session.run([[Float(id)]])[0] } catch {
                throw GenError.model("running '\(model.path)' failed: \(error)")
            }
            total += negativeLogSoftmax(logits, at: next)
        }
        return TextScore(predictions: ids.count - 1, natsPerCharacter: total / Double(ids.count - 1))
    }

    /// -ln softmax(logits)[index], in double and shifted by the largest logit.
    static func negativeLogSoftmax(_ logits: [Float], at index: Int) -> Double {
        let top = Double(logits.max()!)
        let sum = logits.reduce(0.0) { $0 + exp(Double($1) - top) }
        return log(sum) + top - Double(logits[index])
    }
}
