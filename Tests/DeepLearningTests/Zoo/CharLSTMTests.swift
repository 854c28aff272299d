import Testing
@testable import DeepLearning

/// The character model: shapes, sampling, and the checkpoint's description.
@Suite struct CharLSTMTests {
    static func model(_ vocabulary: Int = 7) -> CharLSTM<Float> {
        var g = SplitMix64(seed: 3)
        return CharLSTM(vocabularySize: vocabulary, embeddingSize: 4, hiddenSize: 8, layerCount: 2, dropout: 0.3, using: &g)
    }

    @Test func logitsAndStateShapes() {
        let m = Self.model()
        let (logits, state) = m(tokens: [0, 1, 2, 3, 4, 5], batch: 2, steps: 3, state: nil)
        #expect(logits.shape == [2, 3, 7])
        #expect(state.count == 2 && state[1].c?.shape == [2, 8])
    }

    @Test func samplingIsReproducibleAndGreedyAtTemperatureZero() {
        let m = Self.model()
        let first = m.sample(prime: [1, 2], length: 40, temperature: 1, seed: 9)
        #expect(first == m.sample(prime: [1, 2], length: 40, temperature: 1, seed: 9))
        #expect(first != m.sample(prime: [1, 2], length: 40, temperature: 1, seed: 10))
        #expect(first.allSatisfy { (0..<7).contains($0) } && first.count == 40)
        // Greedy: each token is the argmax of the model's logits after the text so far.
        let greedy = m.sample(prime: [3], length: 5, temperature: 0, seed: 1)
        _ = m.eval()
        var text = [3]
        for token in greedy {
            let logits = withNoGrad { m(tokens: text, batch: 1, steps: text.count, state: nil).logits }
            let last = Array(logits.scalars.suffix(7))
            #expect(token == last.indices.max { last[$0] < last[$1] })
            text.append(token)
        }
        #expect(m.isTraining == false)
    }

    @Test func architectureRoundTripsAndRefusesNonsense() throws {
        let recipe = CharLSTMRecipe(embeddingSize: 4, hiddenSize: 8, layerCount: 2, dropout: 0.1, sequenceLength: 20)
        let architecture = recipe.architecture(vocabulary: ["\n", "a", "é"])
        let read = try CharLSTMRecipe.read(architecture)
        #expect(read.recipe == recipe && read.vocabulary == ["\n", "a", "é"])
        var broken = architecture
        broken["vocabulary"] = .strings(["ab"])
        #expect(throws: ZooError.self) { try CharLSTMRecipe.read(broken) }
        broken = architecture
        broken["hidden_size"] = .int(0)
        #expect(throws: ZooError.self) { try CharLSTMRecipe.read(broken) }
    }
}
