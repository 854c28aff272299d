import DLRuntime

/// What `dlgen` is asked for: a model, the text to start from and how to sample.
public struct GenerationRequest: Sendable {
    public var modelPath: String
    /// Fed to the model before sampling and printed first; nil or empty: the model's `defaultPrime`.
    public var prime: String?
    /// Characters to sample after the prime.
    public var length = 500
    /// Divides the logits before the softmax: below 1 sharper, above 1 flatter, 0 greedy.
    public var temperature = 0.8
    public var seed: UInt64 = 0
    public var threads = 1

    public init(modelPath: String) { self.modelPath = modelPath }

    /// The checks that need no model, so that the command line can refuse them before loading it.
    public func validate() throws {
        guard length >= 0 else { throw GenError.invalidArgument("the length must be >= 0, got \(length)") }
        guard threads >= 1 else { throw GenError.invalidArgument("threads must be >= 1, got \(threads)") }
        _ = try TokenSampler(temperature: temperature, seed: seed)  // the sampler's own temperature check
    }
}

/// Generates text one character per run: the model is stored with T = 1 and
/// the session keeps the recurrent state between runs (`keepState`), so that
/// each run costs one step however long the text already is.
public enum TextGenerator {
    /// The prime followed by `request.length` sampled characters.
    public static func run(_ request: GenerationRequest) throws -> String {
        try request.validate()
        return try run(request, model: try CharacterModel(path: request.modelPath))
    }

    public static func run(_ request: GenerationRequest, model: CharacterModel) throws -> String {
        try request.validate()
        var sampler = try TokenSampler(temperature: request.temperature, seed: request.seed)
        let prime = request.prime.flatMap { $0.isEmpty ? nil : $0 } ?? model.defaultPrime
        let primeIDs = try model.ids(of: prime)
        let session: Session
        do {
            session = try Session(model: model.model, threads: request.threads, batch: 1, keepState: true)
        } catch {
            throw GenError.model("cannot run '\(model.path)': \(error)")
        }
        func step(_ id: Int) throws -> [Float] {
            do { return try session.run([[Float(id)]])[0] } catch {
                throw GenError.model("running '\(model.path)' failed: \(error)")
            }
        }
        var logits: [Float] = []
        for id in primeIDs { logits = try step(id) }
        var text = prime
        for index in 0..<request.length {
            let id = try sampler.next(logits)
            text.append(model.vocabulary[id])
            if index + 1 < request.length { logits = try step(id) }
        }
        return text
    }
}
