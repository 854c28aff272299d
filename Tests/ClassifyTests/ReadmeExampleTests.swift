import Foundation
import Testing
import ToolTestSupport

/// The README's Swift example is examples/swift/main.swift, word for word, and it works.
@Suite struct ReadmeExampleTests {
    @Test func readmeShowsTheExampleVerbatim() throws {
        let readme = try String(contentsOfFile: Repository.root + "/README.md", encoding: .utf8)
        let example = try String(contentsOfFile: Repository.root + "/examples/swift/main.swift", encoding: .utf8)
        #expect(readme.contains("```swift\n" + example + "```\n"), "README.md must quote examples/swift/main.swift exactly")
        #expect(example.split(separator: "\n", omittingEmptySubsequences: false).count <= 11)
    }

    @Test func exampleClassifiesADrawnDigit() throws {
        let result = try Tool.run("dlrt-swift-example", ["models/mnist-lenet5.dlrt", "examples/digits/3.png"],
                                  in: Repository.root)
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == "3\n")
    }
}
