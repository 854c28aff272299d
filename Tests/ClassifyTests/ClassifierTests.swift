import DLClassify
import DLImage
import DLRuntime
import Testing

@Suite struct ClassifierTests {
    static func classifier(batch: Int = 4, threads: Int = 2) throws -> Classifier {
        try Classifier(model: try Model(bytes: try ColourModel.bytes()), threads: threads, batchSize: batch)
    }

    @Test func contractComesFromTheMetadata() throws {
        let c = try Self.classifier()
        #expect(c.contract.width == 8 && c.contract.height == 8 && c.contract.channelOrder == .rgb)
        #expect(c.contract.mean == [0.5, 0.5, 0.5] && c.contract.resize == .centerCrop(shorterSide: 8))
        #expect(c.labels == ColourModel.labels)
    }

    @Test func classifiesFilesWithExactProbabilities() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let colours: [(String, UInt8, UInt8, UInt8)] = [
            ("red.png", 250, 10, 30), ("green.png", 0, 200, 90), ("blue.png", 40, 60, 255),
            ("grey.png", 128, 130, 126), ("teal.png", 0, 180, 170),
        ]
        for (name, r, g, b) in colours { try ColourModel.solid(r, g, b).writePNG(to: dir.file(name)) }
        // Batch 2 over 5 files: two full batches and a partial one.
        let classifier = try Self.classifier(batch: 2)
        var progress: [Int] = []
        let results = classifier.classify(paths: colours.map { dir.file($0.0) }, top: 3) { progress.append($0) }
        #expect(progress == [2, 4, 5])
        for ((_, r, g, b), result) in zip(colours, results) {
            let predictions = try result.get()
            let expected = ColourModel.expectedProbabilities(r, g, b)
            #expect(predictions.count == 3)
            #expect(predictions.map(\.probability) == predictions.map(\.probability).sorted(by: >))
            for p in predictions {
                #expect(abs(Double(p.probability) - expected[p.index]) < 1e-5, "\(p) vs \(expected)")
                #expect(p.label == ColourModel.labels[p.index])
            }
        }
        #expect(try results[0].get().first?.label == "red")
        #expect(try results[2].get().first?.label == "blue")
    }

    @Test func badInputsFailAloneAndTheOthersStillGetAnswers() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        try ColourModel.solid(255, 0, 0).writePNG(to: dir.file("good.png"))
        try dir.write(Array("not an image at all".utf8), to: "text.jpg")
        let png = try ColourModel.solid(0, 0, 255).pngData()
        try dir.write(Array(png.prefix(png.count / 2)), to: "truncated.png")
        let paths = ["good.png", "text.jpg", "truncated.png", "missing.png"].map(dir.file)
        let results = try Self.classifier().classify(paths: paths, top: 1)
        #expect(try results[0].get().first?.label == "red")
        for (path, result) in zip(paths.dropFirst(), results.dropFirst()) {
            guard case .failure(.input(let failed, let message)) = result else {
                Issue.record("\(path) should have failed, got \(result)")
                continue
            }
            #expect(failed == path && !message.isEmpty && !message.hasPrefix(path))
        }
    }

    @Test func refusesModelsItCannotFeed() throws {
        #expect(throws: ClassifyError.self) {
            try Classifier(model: try Model(bytes: try ColourModel.bytes(metadata: false)))
        }
        do {
            _ = try Classifier(modelPath: "/nonexistent/model.dlrt")
            Issue.record("a missing model loaded")
        } catch let error as ClassifyError {
            #expect(error.description.contains("/nonexistent/model.dlrt"))
        }
        #expect(throws: ClassifyError.self) { try Classifier(model: try Model(bytes: try ColourModel.bytes()), threads: 0) }
    }

    @Test func accuracyTakesTheTruthFromTheDirectory() {
        var tally = AccuracyTally(labels: ColourModel.labels)
        func p(_ indices: Int...) -> [Prediction] {
            indices.map { Prediction(index: $0, label: ColourModel.labels[$0], probability: 0) }
        }
        tally.add(path: "set/red/a.png", predictions: p(0, 1))
        tally.add(path: "set/red/b.png", predictions: p(1, 0))
        tally.add(path: "set/blue/c.png", predictions: p(1, 2))
        tally.add(path: "set/blue/d.png", predictions: p(1, 0))
        tally.add(path: "set/other/e.png", predictions: p(0, 1))
        #expect(tally.labelled == 4 && tally.top1 == 1 && tally.topK == 3 && tally.unlabelled == 1 && tally.k == 2)
        #expect(tally.summary.hasPrefix("accuracy: top-1 25.00% (1 of 4), top-2 75.00%"))
    }

    @Test func directoriesExpandRecursivelyInSortedOrder() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        for name in ["b/2.png", "b/1.JPG", "a/x.jpeg", "a/.hidden.png", "a/notes.txt", "c.png"] {
            try dir.write([0], to: name)
        }
        try dir.write([], to: "empty/readme.md")
        let expanded = InputFiles.expand([dir.path, dir.file("nope.png"), dir.file("empty")])
        let found = expanded.compactMap { try? $0.get() }
        #expect(found == ["a/x.jpeg", "b/1.JPG", "b/2.png", "c.png"].map(dir.file))
        #expect(expanded.count == 6)
    }
}
