import Testing
@testable import DeepLearning

/// Resuming from a checkpoint gives the bit-identical weights of an uninterrupted run.
@Suite struct CheckpointResumeTests {
    typealias F = CheckpointFixtures

    /// 48 examples of 4 features in 3 classes, fixed by a seed.
    struct Synthetic: Dataset {
        let features: [Float]
        let labels: [Int]
        var count: Int { labels.count }
        var sampleShape: [Int] { [4] }

        init() {
            var g = SplitMix64(seed: 99)
            var features: [Float] = [], labels: [Int] = []
            for i in 0..<48 {
                let label = i % 3
                for j in 0..<4 { features.append(Float(label == j % 3 ? 1 : 0) + Float(Double.random(in: -0.5..<0.5, using: &g))) }
                labels.append(label)
            }
            self.features = features
            self.labels = labels
        }

        func load(_ index: Int, into input: UnsafeMutableBufferPointer<Float>, random: inout SplitMix64) -> Int {
            for j in 0..<4 { input[j] = features[index * 4 + j] }
            return labels[index]
        }
    }

    enum OptimizerKind: String, CaseIterable, Sendable { case adam, sgdMomentum }

    /// The objects of one run, built as a training program would build them.
    final class Run {
        let model: Sequential<Float>
        let optimizer: Optimizer<Float>
        let schedule: StepLR<Float>
        var loader: DataLoader<Synthetic>
        var step = 0
        var metrics: [EpochMetrics] = []

        /// `initSeed` and `dropoutSeed` differ between the original and the resumed objects,
        /// so only a restore can make them agree.
        init(_ kind: OptimizerKind, initSeed: UInt64, dropoutSeed: UInt64, loaderSeed: UInt64) throws {
            var g = SplitMix64(seed: initSeed)
            model = Sequential(Linear<Float>(4, 16, using: &g), ReLU(), Dropout(p: 0.25, seed: dropoutSeed), Linear<Float>(16, 3, using: &g))
            switch kind {
            case .adam: optimizer = Adam(model.parameters(), learningRate: 0.02, weightDecay: 1e-3)
            case .sgdMomentum: optimizer = SGD(model.parameters(), learningRate: 0.1, momentum: 0.9, weightDecay: 1e-3, nesterov: true)
            }
            schedule = StepLR(optimizer: optimizer, stepSize: 1, gamma: 0.7)
            loader = try DataLoader(Synthetic(), batchSize: 10, shuffle: true, seed: loaderSeed)
        }

        func train(epochs: Range<Int>) {
            for epoch in epochs {
                var lossSum = 0.0, correct = 0, seen = 0
                let learningRate = optimizer.learningRate
                for batch in loader.batches(epoch: epoch) {
                    let logits = model(batch.inputTensor)
                    let loss = crossEntropy(logits: logits, labels: batch.labels)
                    optimizer.zeroGrad()
                    loss.backward()
                    optimizer.step()
                    step += 1
                    lossSum += Double(loss.item()) * Double(batch.count)
                    for (i, label) in batch.labels.enumerated() {
                        let row = logits.scalars[(i * 3)..<(i * 3 + 3)]
                        if row.firstIndex(of: row.max()!)! - i * 3 == label { correct += 1 }
                    }
                    seen += batch.count
                }
                schedule.step()
                metrics.append(EpochMetrics(epoch: epoch, trainLoss: lossSum / Double(seen), trainAccuracy: Double(correct) / Double(seen),
                                            learningRate: learningRate, seconds: 0))
            }
        }

        func checkpoint(epoch: Int) -> Checkpoint {
            Checkpoint.capture(architecture: ["model": "mlp", "inputs": 4, "hidden": 16, "classes": 3, "dropout": 0.25],
                               model: model, optimizer: optimizer, schedule: schedule,
                               rngStates: ["loader.seed": loader.seed], epoch: epoch, step: step, metrics: metrics,
                               recipe: "test: 4 epochs, batch 10")
        }

        var weightBits: [String: [UInt32]] {
            Dictionary(uniqueKeysWithValues: model.stateDict().map { ($0.key, $0.value.scalars.map(\.bitPattern)) })
        }
    }

    @Test(arguments: OptimizerKind.allCases)
    func resumeIsBitExact(kind: OptimizerKind) throws {
        // Uninterrupted: 4 epochs.
        let straight = try Run(kind, initSeed: 1, dropoutSeed: 2, loaderSeed: 3)
        straight.train(epochs: 0..<4)

        // Interrupted: 2 epochs, checkpoint to a file, then 2 more in fresh objects.
        let directory = try F.makeTempDirectory()
        defer { F.remove(directory) }
        let path = directory + "/model.ckpt"
        let first = try Run(kind, initSeed: 1, dropoutSeed: 2, loaderSeed: 3)
        first.train(epochs: 0..<2)
        try first.checkpoint(epoch: 2).write(to: path)

        let saved = try Checkpoint.read(from: path)
        #expect(saved.epoch == 2 && saved.architecture.name == "mlp" && saved.architecture.int("hidden") == 16)
        #expect(saved.rngStates.keys.sorted() == ["loader.seed", "model.2.generator"])
        let resumed = try Run(kind, initSeed: 77, dropoutSeed: 78, loaderSeed: try #require(saved.rngStates["loader.seed"]))
        #expect(resumed.weightBits != straight.weightBits)
        let report = try saved.restore(model: resumed.model, optimizer: resumed.optimizer, schedule: resumed.schedule)
        #expect(report.isExact && report.loadedKeys.count == 4)
        resumed.step = saved.step
        resumed.metrics = saved.metrics
        resumed.train(epochs: saved.epoch..<4)

        #expect(resumed.weightBits == straight.weightBits, "weights after resume must be bit-identical")
        #expect(resumed.checkpoint(epoch: 4) == straight.checkpoint(epoch: 4), "optimizer, schedule, RNG, metrics too")
        #expect(resumed.step == straight.step && resumed.schedule.lastLearningRates == straight.schedule.lastLearningRates)

        // The test can fail: a resume that forgets the optimizer state does not match.
        let careless = try Run(kind, initSeed: 77, dropoutSeed: 78, loaderSeed: 3)
        try saved.restore(model: careless.model)
        careless.train(epochs: 2..<4)
        #expect(careless.weightBits != straight.weightBits)
    }

    @Test func restoreIsAllOrNothing() throws {
        let run = try Run(.adam, initSeed: 1, dropoutSeed: 2, loaderSeed: 3)
        run.train(epochs: 0..<1)
        let checkpoint = run.checkpoint(epoch: 1)

        let target = try Run(.adam, initSeed: 5, dropoutSeed: 6, loaderSeed: 3)
        let before = target.weightBits
        let optimizerBefore = target.optimizer.stateDict()
        func unchanged() -> Bool {
            target.weightBits == before && target.optimizer.stateDict() == optimizerBefore
                && (target.model.layers[2] as! Dropout<Float>).generator.state == 6
        }

        // The optimizer's state does not fit (an SGD state has no exp_avg, but here: wrong shapes).
        var bad = checkpoint
        bad.optimizer?.parameterShapes[0] = [1, 1]
        #expect(throws: CheckpointError.self) { try bad.restore(model: target.model, optimizer: target.optimizer) }
        #expect(unchanged())
        // The schedule's state misses a key: model and optimizer are rolled back.
        bad = checkpoint
        bad.schedule?["last_epoch"] = nil
        do {
            try bad.restore(model: target.model, optimizer: target.optimizer, schedule: target.schedule)
            Issue.record("restored a schedule state without last_epoch")
        } catch let error as CheckpointError {
            guard case .incompatible(part: "schedule", _) = error else { Issue.record("\(error)"); return }
        }
        #expect(unchanged())
        // No Dropout state; no optimizer state; a model that does not fit.
        bad = checkpoint
        bad.rngStates["model.2.generator"] = nil
        #expect(throws: CheckpointError.self) { try bad.restore(model: target.model) }
        bad = checkpoint
        bad.optimizer = nil
        #expect(throws: CheckpointError.self) { try bad.restore(model: target.model, optimizer: target.optimizer) }
        bad = checkpoint
        bad.model["extra"] = Tensor(shape: [1], scalars: [0])
        #expect(throws: CheckpointError.self) { try bad.restore(model: target.model) }
        #expect(unchanged())
        // And the good one restores.
        try checkpoint.restore(model: target.model, optimizer: target.optimizer, schedule: target.schedule)
        #expect(target.weightBits == run.weightBits && (target.model.layers[2] as! Dropout<Float>).generator.state
                == (run.model.layers[2] as! Dropout<Float>).generator.state)
    }
}
