import ArgumentParser
import DLGen
import DLSupport

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `dlgen model.dlrt`: parsing and printing only; the work is `DLGen.TextGenerator`.
@main
struct DLGenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dlgen",
        abstract: "Sample text from a character-level model (.dlrt) in the C runtime.",
        discussion: """
        The model takes the id of one character per run (input [N, 1]) and gives the next character's logits \
        ([N, 1, V] or [N, V]); its metadata 'vocabulary' lists the character of each id (docs/FORMAT.md). \
        dlgen feeds the prime one character at a time, keeping the recurrent state between runs, then samples \
        --length characters from softmax(logits / temperature) (temperature 0: always the likeliest) and prints \
        the prime and the sampled text. The same seed gives the same text on every machine.
        Exit status: 0 on success; 1 when the model or the prime cannot be used; 64 for a bad command line.

        Examples:
          dlgen char-lstm.dlrt --prime "ROMEO:" --length 500
          dlgen char.dlrt --temperature 0 --length 100
          dlgen char.dlrt --score valid.txt      # nats/char and perplexity of a text, in the runtime
        """)

    @Argument(help: "A character-level .dlrt model.") var model: String
    @Option(help: "Text to start from (default: a newline, or the vocabulary's first character without one).")
    var prime: String?
    @Option(help: "Characters to sample after the prime.") var length: Int = 500
    @Option(help: "Softmax temperature: below 1 more conservative, above 1 more varied, 0 greedy.")
    var temperature: Double = 0.8
    @Option(help: "Seed of the sampling.") var seed: UInt64 = 0
    @Option(help: "Threads for the runtime.") var threads: Int = 1
    @Option(help: ArgumentHelp("Instead of sampling: score this UTF-8 text file (mean nats per character and perplexity, one character per run from a zero state).", valueName: "FILE"))
    var score: String?

    func request() -> GenerationRequest {
        var request = GenerationRequest(modelPath: model)
        request.prime = prime
        request.length = length
        request.temperature = temperature
        request.seed = seed
        request.threads = threads
        return request
    }

    func validate() throws {
        do { try request().validate() } catch let error as GenError { throw ValidationError(error.description) }
    }

    func run() throws {
        do {
            if let score {
                let result = try TextScorer.score(score, model: try CharacterModel(path: model), threads: threads)
                print("\(score): " + formatted("%.4f nats/char (perplexity %.3f) over %d predicted characters",
                                                 result.natsPerCharacter, result.perplexity, result.predictions))
                return
            }
            print(try TextGenerator.run(request()))
        } catch let error as GenError {
            fputs("dlgen: error: \(error)\n", stderr)
            throw ExitCode.failure
        }
    }
}
