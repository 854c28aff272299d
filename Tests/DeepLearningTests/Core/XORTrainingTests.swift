import Testing
@testable import DeepLearning

/// End to end: plain SGD on a 2-8-1 tanh MLP, written with raw tensors,
/// learns XOR to 100% accuracy in a fixed number of steps from a fixed seed.
@Suite struct XORTrainingTests {
    @Test func sgdLearnsXOR() {
        let inputs = Tensor<Float>(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let targets = Tensor<Float>(shape: [4, 1], scalars: [0, 1, 1, 0])
        var g = SplitMix64(seed: 2024)
        var parameters = [
            Tensor<Float>.randomNormal([2, 8], standardDeviation: 1, using: &g),
            Tensor<Float>.zeros([8]),
            Tensor<Float>.randomNormal([8, 1], standardDeviation: 0.5, using: &g),
            Tensor<Float>.zeros([1]),
        ]
        for i in parameters.indices { parameters[i].requiresGrad = true }

        func forward(_ x: Tensor<Float>) -> Tensor<Float> {
            let hidden = (x.matmul(parameters[0]) + parameters[1]).tanh()
            return hidden.matmul(parameters[2]) + parameters[3]
        }

        let learningRate: Float = 0.5
        var loss: Float = .infinity
        for _ in 0..<1000 {
            let l = binaryCrossEntropyWithLogits(forward(inputs), targets)
            loss = l.item()
            l.backward()
            withNoGrad {
                for i in parameters.indices {
                    parameters[i].assign(parameters[i] - parameters[i].grad! * learningRate)
                    parameters[i].zeroGrad()
                }
            }
        }
        let predictions = withNoGrad { forward(inputs).sigmoid() }
        let correct = zip(predictions.scalars, targets.scalars).filter { ($0 > 0.5) == ($1 > 0.5) }.count
        #expect(correct == 4, "predictions \(predictions.scalars), loss \(loss)")
        #expect(loss < 0.05)
        #expect(parameters.allSatisfy { $0.requiresGrad && $0.isLeaf })
    }
}
