import Testing
@testable import DeepLearning

@Suite struct OptimizerTests {
    /// Linear → ReLU → Linear with softmax cross-entropy and Adam learns XOR.
    @Test(.timeLimit(.minutes(1))) func mlpWithAdamLearnsXOR() {
        let start = ContinuousClock.now
        let inputs = Tensor<Float>(shape: [4, 2], scalars: [0, 0, 0, 1, 1, 0, 1, 1])
        let labels = [0, 1, 1, 0]
        var g = SplitMix64(seed: 7)
        let model = Sequential<Float>(Linear(2, 16, using: &g), ReLU(), Linear(16, 2, using: &g))
        let optimizer = Adam(model.parameters(), learningRate: 0.05)
        var loss: Float = .infinity
        for _ in 0..<300 {
            let l = crossEntropy(logits: model(inputs), labels: labels)
            loss = l.item()
            optimizer.zeroGrad()
            l.backward()
            optimizer.step()
        }
        model.eval()
        let predictions = withNoGrad { model(inputs) }.argmax(alongAxis: 1)
        #expect(predictions == labels, "loss \(loss)")
        #expect(loss < 0.05)
        #expect(ContinuousClock.now - start < .seconds(2))
    }

    @Test func groupsTakeDefaultsUnlessGiven() {
        let a = Parameter(Tensor<Float>.zeros([2])), b = Parameter(Tensor<Float>.zeros([3]))
        let sgd = SGD(groups: [ParameterGroup([a]), ParameterGroup([b], learningRate: 0.01, weightDecay: 0)],
                      learningRate: 0.1, momentum: 0.9, weightDecay: 1e-4)
        #expect(sgd.groups.map(\.learningRate) == [0.1, 0.01])
        #expect(sgd.groups.map(\.weightDecay) == [1e-4, 0])
        #expect(sgd.groups.map(\.momentum) == [0.9, 0.9])
        sgd.learningRate = 0.5
        #expect(sgd.groups.map(\.learningRate) == [0.5, 0.5])
    }

    @Test func loadRefusesStateForOtherParameters() throws {
        let a = Parameter(Tensor<Float>.zeros([2]))
        a.grad = Tensor([1, 1])
        let adam = Adam([a])
        adam.step()
        let state = adam.stateDict()
        #expect(state.values["0.step"] == 1)
        #expect(state.tensors.keys.sorted() == ["0.exp_avg", "0.exp_avg_sq"])
        let other = Adam([Parameter(Tensor<Float>.zeros([3]))])
        #expect(throws: OptimizerStateError.self) { try other.load(stateDict: state) }
        let two = Adam([Parameter(Tensor<Float>.zeros([2])), Parameter(Tensor<Float>.zeros([2]))])
        #expect(throws: OptimizerStateError.self) { try two.load(stateDict: state) }
    }

    @Test func stepSkipsParametersWithoutGradients() {
        let a = Parameter(Tensor<Float>([1, 2])), frozen = Parameter(Tensor<Float>([3]), frozen: true)
        let sgd = SGD([a, frozen], learningRate: 0.1, weightDecay: 0.1)
        a.grad = Tensor([1, 1])
        sgd.step()
        #expect(frozen.value.scalars == [3])
        #expect(abs(a.value.scalars[0] - (1 - 0.1 * 1.1)) < 1e-7)
    }
}
