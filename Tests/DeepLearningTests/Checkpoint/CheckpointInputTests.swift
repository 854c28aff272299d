import Testing
@testable import DeepLearning

/// Format 1.1's optional INPUT and SAMPLES sections: the input contract and
/// real examples that dlexport needs.
@Suite struct CheckpointInputTests {
    typealias F = CheckpointFixtures

    static func withInput() -> Checkpoint {
        var c = F.sample()
        c.input = InputContract(dataset: "cifar10", channelOrder: "RGB", pixelRange: [0, 1], mean: [0.4914, 0.4822, 0.4465],
                                std: [0.247, 0.2435, 0.2616], resize: .centerCrop(shorterSide: 32))
        c.samples = [InputSample(shape: [3, 2, 2], pixels: Array(0..<12), label: 3, source: "cifar10 test image 0"),
                     InputSample(shape: [1, 1, 3], pixels: [255, 0, 7], label: 0, source: "")]
        return c
    }

    @Test func roundTripAndOptionalFlags() throws {
        let checkpoint = Self.withInput()
        #expect(try Checkpoint(decoding: try checkpoint.encoded()) == checkpoint)
        let sections = try CheckpointFormat.sections(checkpoint)
        for kind in [CheckpointFormat.Kind.input, .samples] {
            let section = try #require(sections.first { $0.kind == kind.rawValue })
            #expect(section.flags == CheckpointFormat.optionalFlag, "\(kind.name) must be skippable by a 1.0 reader")
        }
        // Without them (every 1.0 file) nothing is written and nothing is read.
        #expect(try CheckpointFormat.sections(F.sample()).count == sections.count - 2)
        let plain = try Checkpoint(decoding: try F.sample().encoded())
        #expect(plain.input == nil && plain.samples.isEmpty)
        // A stretch contract and a contract or sample that differs are different checkpoints.
        var stretched = checkpoint
        stretched.input?.resize = .stretch
        #expect(try Checkpoint(decoding: try stretched.encoded()) == stretched && stretched != checkpoint)
        var relabelled = checkpoint
        relabelled.samples[0].label = 4
        #expect(relabelled != checkpoint)
    }

    /// A reader that knows only 1.0 skips the new sections: simulated by
    /// renumbering them to kinds this reader does not know.
    @Test func olderReadersSkipThem() throws {
        let checkpoint = Self.withInput()
        let sections = try CheckpointFormat.sections(checkpoint).map { section in
            (kind: section.kind >= 9 ? section.kind + 100 : section.kind, flags: section.flags, payload: section.payload)
        }
        let read = try Checkpoint(decoding: CheckpointFormat.assemble(sections))
        #expect(read.input == nil && read.samples.isEmpty && read.model.keys == checkpoint.model.keys)
    }

    @Test func invalidContractsAndSamplesAreNotWritten() throws {
        var c = Self.withInput()
        c.input?.std = [0.2, 0, 0.2]
        #expect(throws: CheckpointError.invalidArgument("input contract: mean [0.4914, 0.4822, 0.4465] must be finite and std [0.2, 0.0, 0.2] finite and nonzero")) {
            try c.encoded()
        }
        c = Self.withInput()
        c.input?.channelOrder = "CMYK"
        #expect(throws: CheckpointError.self) { try c.encoded() }
        c = Self.withInput()
        c.input?.mean = [0.5]
        #expect(throws: CheckpointError.self) { try c.encoded() }
        c = Self.withInput()
        c.samples[0].pixels.removeLast()
        #expect(throws: CheckpointError.self) { try c.encoded() }
        c = Self.withInput()
        c.samples[1].label = -1
        #expect(throws: CheckpointError.self) { try c.encoded() }
    }

    @Test func hostilePayloadsAreRefused() throws {
        let base = Self.withInput()
        func text(_ s: String) -> [UInt8] { F.string(s) }
        func doubles(_ values: [Double]) -> [UInt8] { F.le32(UInt32(values.count)) + values.flatMap { F.le64($0.bitPattern) } }
        let valid = text("mnist") + text("GRAY") + doubles([0, 1]) + doubles([0.1307]) + doubles([0.3081])
        let cases: [(CheckpointFormat.Kind, [UInt8], String)] = [
            (.input, valid + F.le32(1) + F.le64(0), "valid"),
            (.input, valid + F.le32(3) + F.le64(0), "unknown resize code 3"),
            (.input, valid + F.le32(1) + F.le64(5), "stretch resize with crop side 5"),
            (.input, valid + F.le32(2) + F.le64(0), "center-crop side 0"),
            (.input, text("mnist") + text("GRAY") + doubles([1, 0]) + doubles([0.1]) + doubles([0.3]) + F.le32(1) + F.le64(0), "pixel range"),
            (.input, text("mnist") + text("GRAY") + F.le32(.max), "4294967295 pixel range values"),
            (.input, valid + F.le32(1) + F.le64(0) + [0], "bytes after"),
            (.samples, F.le32(.max), "4294967295 samples"),
            (.samples, F.le32(1) + text("s") + F.le64(UInt64(bitPattern: -2)) + F.le32(0), "label -2"),
            (.samples, F.le32(1) + text("s") + F.le64(0) + F.le32(2) + F.le64(4) + F.le64(4) + [1, 2, 3], "needs 16 bytes"),
            (.samples, F.le32(1) + text("s") + F.le64(0) + F.le32(9), "rank 9"),
        ]
        for (kind, payload, reason) in cases {
            var sections = try CheckpointFormat.sections(base)
            let i = try #require(sections.firstIndex { $0.kind == kind.rawValue })
            sections[i].payload = payload
            let error = F.decodeError(CheckpointFormat.assemble(sections))
            if reason == "valid" {
                #expect(error == nil)
                continue
            }
            #expect(error?.description.contains(reason) == true, "\(kind.name) \(reason): \(String(describing: error))")
            #expect(error?.description.contains(kind.name) == true)
        }
    }
}
