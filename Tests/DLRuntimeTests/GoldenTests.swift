#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import DLRuntime
import Testing

/// The golden models of Tests/Fixtures (tools/golden/make_fixtures.sh: PyTorch
/// weights, input and output) through the Swift wrapper: each file's stored
/// self-test must pass, i.e. the runtime reproduces PyTorch within the file's
/// tolerance (rtol 1e-4, atol 1e-5).
@Suite struct GoldenTests {
    /// Tests/Fixtures, found from this source file so that the working directory does not matter.
    static let directory: String = {
        let file = "\(#filePath)"
        let tests = file[..<(file.range(of: "/DLRuntimeTests/", options: .backwards)?.lowerBound ?? file.endIndex)]
        return "\(tests)/Fixtures"
    }()

    /// The .dlrt files in Tests/Fixtures, sorted.
    static let fixtures: [String] = {
        guard let dir = opendir(directory) else { return [] }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
            }
            if name.hasSuffix(".dlrt"), !name.hasPrefix(".") { names.append(name) }
        }
        return names.sorted()
    }()

    @Test func fixturesArePresent() {
        #expect(!Self.fixtures.isEmpty, "no .dlrt files in \(Self.directory); tools/golden/make_fixtures.sh writes them")
    }

    @Test(arguments: fixtures) func selfTestMatchesPyTorch(_ name: String) throws {
        let model = try Model(path: "\(Self.directory)/\(name)")
        let error = try model.selfTest()
        #expect(error <= 1, "\(name): worst error \(error) of tolerance")
    }

    /// Two threads compute what one does, on an input of the file's shape.
    @Test(arguments: fixtures) func twoThreadsMatchOne(_ name: String) throws {
        let model = try Model(path: "\(Self.directory)/\(name)")
        var values = Values(seed: 7)
        let inputs = model.inputs.map { values.array($0.shape.reduce(1, *)) }
        let one = try Session(model: model, threads: 1).run(inputs)
        let two = try Session(model: model, threads: 2).run(inputs)
        #expect(one.count == two.count)
        for (index, (a, b)) in zip(one, two).enumerated() {
            expectClose(b, a, rtol: 1e-5, atol: 1e-7, comment: "\(name) output \(index)")
        }
    }
}
