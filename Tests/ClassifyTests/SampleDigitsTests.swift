import DLClassify
import DLImage
import DLRuntime
import Testing
import ToolTestSupport

/// The README's first command classifies examples/digits with the bundled
/// LeNet-5. Those images must be what the project's own drawing program makes,
/// and the bundled model must read every one of them correctly.
@Suite struct SampleDigitsTests {
    static let digits = Repository.root + "/examples/digits"

    @Test func committedDigitsAreTheDrawingProgramsOutput() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try Tool.run("dlrt-draw-digits", [dir.path], in: dir.path)
        #expect(result.status == 0, "\(result.err)")
        for digit in 0..<10 {
            let drawn = try Image(contentsOf: dir.file("\(digit).png"))
            let committed = try Image(contentsOf: "\(Self.digits)/\(digit).png")
            #expect(drawn == committed, "examples/digits/\(digit).png differs from dlrt-draw-digits' drawing")
            #expect(drawn.width == 28 && drawn.height == 28 && drawn.channels == 1)
        }
    }

    @Test func bundledLeNetReadsEveryDrawnDigit() throws {
        let model = try Model(path: Repository.root + "/models/mnist-lenet5.dlrt")
        let classifier = try Classifier(model: model, threads: 1, batchSize: 10)
        let paths = (0..<10).map { "\(Self.digits)/\($0).png" }
        for (digit, result) in zip(0..<10, classifier.classify(paths: paths, top: 1)) {
            let best = try result.get().first
            #expect(best?.label == String(digit), "\(digit).png read as \(String(describing: best))")
            #expect((best?.probability ?? 0) > 0.9)
        }
    }

    @Test func refusesAMissingOutputDirectory() throws {
        let dir = try TemporaryDirectory()
        defer { dir.remove() }
        let result = try Tool.run("dlrt-draw-digits", [dir.file("absent/deeper")], in: dir.path)
        #expect(result.status == 1 && result.err.contains("dlrt-draw-digits:"))
    }
}
