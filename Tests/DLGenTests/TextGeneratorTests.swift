import DLExport
import DLRuntime
import Foundation
import Testing
@testable import DLGen

/// The sampler against the softmax it must follow, and generation with a
/// random-weight model against one run of the same weights over the whole text.
@Suite struct TokenSamplerTests {
    /// Frequencies over 60,000 draws within 0.01 of softmax(logits / T) computed here.
    @Test(arguments: [1.0, 2.0, 0.5])
    func drawsFollowTheSoftmax(temperature: Double) throws {
        let logits: [Float] = [0, log(2), log(3), -1]
        let weights = logits.map { exp(Double($0) / temperature) }
        let want = weights.map { $0 / weights.reduce(0, +) }
        var sampler = try TokenSampler(temperature: temperature, seed: 7)
        var counts = [Int](repeating: 0, count: logits.count)
        let draws = 60_000
        for _ in 0..<draws { counts[try sampler.next(logits)] += 1 }
        for (count, p) in zip(counts, want) { #expect(abs(Double(count) / Double(draws) - p) < 0.01, "\(counts) \(want)") }
    }

    @Test func greedyTakesTheFirstLargestAndBadInputIsRefused() throws {
        var greedy = try TokenSampler(temperature: 0, seed: 1)
        #expect(try greedy.next([1, 5, -2, 5]) == 1)
        #expect(try greedy.next([-3]) == 0)
        for bad in [-0.5, -.infinity, .infinity, .nan] {
            #expect(throws: GenError.self) { try TokenSampler(temperature: bad, seed: 1) }
        }
        var sampler = try TokenSampler(temperature: 1, seed: 1)
        #expect(throws: GenError.model("the model produced a non-finite logit")) { try sampler.next([0, .nan]) }
        #expect(throws: GenError.model("the model produced no logits")) { try sampler.next([]) }
    }
}

@Suite struct TextGeneratorTests {
    @Test func sameSeedSameTextAnyThreads() throws {
        let dir = try CharModelFixture.makeDirectory()
        defer { CharModelFixture.remove(dir) }
        var request = GenerationRequest(modelPath: try CharModelFixture().write(to: dir + "/char.dlrt"))
        request.prime = "ROMEO:"
        request.length = 200
        request.temperature = 1
        request.seed = 3
        let text = try TextGenerator.run(request)
        #expect(text.hasPrefix("ROMEO:") && text.count == 206)
        request.threads = 2
        #expect(try TextGenerator.run(request) == text)
        request.seed = 4
        #expect(try TextGenerator.run(request) != text)
    }

    /// Greedy text fed back into the same weights stored with T = the text's
    /// length: at every position from the prime's last character on, the
    /// whole-sequence run's likeliest next character is the one generated.
    /// This checks that dlgen keeps the state between runs (a stateless
    /// session would predict from one character only).
    @Test(arguments: [false, true])
    func greedyTextIsTheWholeSequenceModelsArgmax(threeDimensionalLogits: Bool) throws {
        let dir = try CharModelFixture.makeDirectory()
        defer { CharModelFixture.remove(dir) }
        var fixture = CharModelFixture()
        fixture.threeDimensionalLogits = threeDimensionalLogits
        var request = GenerationRequest(modelPath: try fixture.write(to: dir + "/char.dlrt"))
        request.prime = "ROME"
        request.length = 40
        request.temperature = 0
        let text = Array(try TextGenerator.run(request))
        #expect(text.count == 44)
        let ids = text.map { character in Float(fixture.vocabulary.firstIndex(of: String(character))!) }
        let steps = text.count - 1
        let whole = try Session(model: try Model(bytes: try fixture.builder(steps: steps).serialize()))
        let logits = try whole.run([Array(ids.prefix(steps))])[0]
        let v = fixture.vocabulary.count
        for t in 3..<steps {
            let row = logits[(t * v)..<((t + 1) * v)]
            let best = row.indices.max { row[$0] < row[$1] }! - t * v
            #expect(Float(best) == ids[t + 1], "position \(t + 1)")
        }
        // Some character is followed by different ones in different places, which a model that saw
        // only the last character (a session without kept state) could not have produced greedily.
        let generated = text.dropFirst(3)
        let successors = Dictionary(zip(generated, generated.dropFirst()).map { ($0.0, Set([$0.1])) },
                                    uniquingKeysWith: { $0.union($1) })
        #expect(successors.values.contains { $0.count > 1 }, "\(String(text).debugDescription)")
    }

    /// A newline when the vocabulary has one, else its first character.
    @Test func defaultPrime() throws {
        let dir = try CharModelFixture.makeDirectory()
        defer { CharModelFixture.remove(dir) }
        var fixture = CharModelFixture()
        var request = GenerationRequest(modelPath: try fixture.write(to: dir + "/a.dlrt"))
        request.length = 5
        #expect(try TextGenerator.run(request).hasPrefix("\n"))
        request.prime = ""
        #expect(try TextGenerator.run(request).hasPrefix("\n"))
        fixture.vocabulary[0] = "x"
        request.modelPath = try fixture.write(to: dir + "/b.dlrt")
        let text = try TextGenerator.run(request)
        #expect(text.first == "x" && text.count == 6)
        request.length = 0
        #expect(try TextGenerator.run(request) == "x")
    }

    @Test func contractViolationsNameTheProblem() throws {
        let dir = try CharModelFixture.makeDirectory()
        defer { CharModelFixture.remove(dir) }
        func refusal(_ fixture: CharModelFixture, steps: Int = 1, prime: String? = nil) throws -> String {
            var request = GenerationRequest(modelPath: try fixture.write(to: dir + "/m.dlrt", steps: steps))
            request.prime = prime
            do { _ = try TextGenerator.run(request) } catch let error as GenError { return error.description }
            return "nothing thrown"
        }
        var fixture = CharModelFixture()
        fixture.writesVocabulary = false
        #expect(try refusal(fixture).contains("it has no metadata 'vocabulary'"))
        fixture = CharModelFixture()
        fixture.logitCount = 12
        #expect(try refusal(fixture).contains("its vocabulary has 10 characters but its logits have 12"))
        fixture = CharModelFixture()
        fixture.vocabulary[2] = "RO"
        #expect(try refusal(fixture).contains("vocabulary entry 2 is \"RO\", not one character"))
        fixture.vocabulary[2] = "a"
        #expect(try refusal(fixture).contains("vocabulary entries 2 and 7 are both 'a'"))
        #expect(try refusal(CharModelFixture(), steps: 4).contains("its input is [1, 4], not [N, 1]"))
        // A table shorter than the vocabulary passes the contract but fails the run at the first id past it.
        fixture = CharModelFixture()
        fixture.tableRows = 3
        #expect(try refusal(fixture, prime: "ROME").contains("running '\(dir)/m.dlrt' failed: DLRT_ERR_INVALID_ARGUMENT"))
        #expect(try refusal(CharModelFixture(), prime: "ROMEZ! Z\t")
            .hasSuffix("outside the vocabulary of '\(dir)/m.dlrt': 'Z', '!', '\\t'"))

        // Graphs the fixture does not make: edited as a ModelFile, checked from memory.
        func refusal(_ file: ModelFile) throws -> String {
            do { _ = try CharacterModel(model: try Model(bytes: try file.serialize())) } catch let error as GenError {
                return error.description
            }
            return "nothing thrown"
        }
        var builder = try CharModelFixture().builder()
        let rank4 = try builder.reshape(builder.outputs[0], shape: [-1, 1, 1, 10])
        var file = builder.modelFile
        file.outputs.append(file.nodes[1].outputs[0])
        #expect(try refusal(file).contains("it has 1 inputs and 2 outputs, not 1 and 1"))
        file.outputs = [rank4]
        #expect(try refusal(file).contains("its output is [1, 1, 1, 10], not [N, 1, V] or [N, V]"))
        builder.setMetadata(.string("ROMEO"), for: "vocabulary")
        #expect(try refusal(builder.modelFile).contains("its metadata 'vocabulary' is not a string array"))

        var request = GenerationRequest(modelPath: dir + "/absent.dlrt")
        #expect(throws: GenError.self) { try TextGenerator.run(request) }
        request.length = -1
        #expect(throws: GenError.invalidArgument("the length must be >= 0, got -1")) { try request.validate() }
    }
}
