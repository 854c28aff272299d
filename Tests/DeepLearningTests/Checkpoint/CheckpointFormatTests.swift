import Testing
@testable import DeepLearning

/// The byte format: exact round trips, and refusal of damaged or hostile files with a precise error.
@Suite struct CheckpointFormatTests {
    typealias F = CheckpointFixtures

    // MARK: - round trips

    @Test func roundTripIsExact() throws {
        let checkpoint = F.sample()
        let bytes = try checkpoint.encoded()
        let decoded = try Checkpoint(decoding: bytes)
        #expect(decoded == checkpoint)
        #expect(try decoded.encoded() == bytes, "re-encoding gives the same bytes")
        // Bits, not values: NaN payloads, -0, infinities.
        #expect(decoded.schedule?["odd"]?.bitPattern == 0x7FF0_0000_0000_0001)
        #expect(decoded.schedule?["zero"]?.bitPattern == (-0.0 as Double).bitPattern)
        #expect(decoded.schedule?["best"] == .infinity && decoded.schedule?["worst"] == -.infinity)
        #expect(decoded.schedule?["metric"]?.isNaN == true)
        #expect(decoded.model["fc1.weight"]?.scalars[5].bitPattern == 0x7FC0_1234)
        #expect(decoded.model.keys == checkpoint.model.keys, "tensor order is kept")
        #expect(decoded.model["bn.num_batches_tracked"]?.shape == [] && decoded.model["empty"]?.shape == [0, 4])
        #expect(decoded.architecture.name == "resnet20" && decoded.architecture.int("classes") == 10)
        #expect(decoded.architecture.bool("bn") == true && decoded.architecture.double("dropout") == 0.25)
        #expect(decoded.metrics[0].testLoss == nil && decoded.metrics[1].testAccuracy == 0.68)
        #expect(decoded.recipe == checkpoint.recipe)
        // Equality is bitwise: a different NaN payload is a different checkpoint.
        var other = checkpoint
        other.schedule?["metric"] = Double(bitPattern: Double.nan.bitPattern | 1)
        #expect(other != checkpoint)
    }

    @Test func emptyAndAbsentPartsRoundTrip() throws {
        let minimal = F.minimal()
        let decoded = try Checkpoint(decoding: try minimal.encoded())
        #expect(decoded == minimal)
        #expect(decoded.optimizer == nil && decoded.schedule == nil && decoded.rngStates.isEmpty)
        #expect(decoded.metrics.isEmpty && decoded.recipe.isEmpty && decoded.model.isEmpty && decoded.epoch == 0)
        // Present but empty is not absent.
        var empty = minimal
        empty.optimizer = OptimizerState()
        empty.schedule = [:]
        let decodedEmpty = try Checkpoint(decoding: try empty.encoded())
        #expect(decodedEmpty == empty && decodedEmpty.optimizer != nil && decodedEmpty.schedule == [:])
        #expect(decodedEmpty != minimal)
    }

    @Test func writerRefusesWhatReadersWould() {
        var c = F.minimal()
        c.rngStates = ["": 1]
        #expect(throws: CheckpointError.self) { try c.encoded() }
        c = F.minimal()
        c.schedule = [String(repeating: "k", count: 4097): 1]
        #expect(throws: CheckpointError.self) { try c.encoded() }
        c = F.minimal()
        c.epoch = -1
        #expect(throws: CheckpointError.self) { try c.encoded() }
        c = F.minimal()
        c.model["x"] = Tensor(shape: Array(repeating: 1, count: 9), scalars: [1])
        #expect(throws: CheckpointError.self) { try c.encoded() }
    }

    // MARK: - damage

    @Test func truncationAtEveryByteIsRefused() throws {
        let bytes = try F.sample().encoded()
        for n in 0..<bytes.count {
            let error = F.decodeError(Array(bytes.prefix(n)))
            guard case .truncated(let part, _, _, _)? = error else {
                Issue.record("cut at \(n) of \(bytes.count): \(String(describing: error))")
                continue
            }
            #expect(part == (n < 32 ? "header" : "file (the header declares \(bytes.count) bytes)"))
        }
        #expect(F.decodeError(bytes + [0]) == .malformed(part: "file", offset: bytes.count,
                                                         reason: "1 bytes follow the \(bytes.count) bytes the header declares"))
    }

    /// Sections cut short inside (with a consistent header and valid CRCs): the parser itself must stop.
    @Test func truncationInsideEverySectionIsRefused() throws {
        let sections = try CheckpointFormat.sections(F.sample())
        for (index, section) in sections.enumerated() {
            for cut in 0..<section.payload.count {
                var damaged = sections
                damaged[index].payload = Array(section.payload.prefix(cut))
                let error = F.decodeError(CheckpointFormat.assemble(damaged))
                #expect(error != nil, "section kind \(section.kind) cut at \(cut) of \(section.payload.count) decoded")
            }
        }
        // The message names the section, the tensor and the byte.
        let model = try #require(sections.first { $0.kind == CheckpointFormat.Kind.model.rawValue })
        let error = try #require(F.decodeError(try F.withPayload(.model, Array(model.payload.dropLast(3)))))
        #expect(error.description.contains("MODEL tensor 'empty'") || error.description.contains("MODEL tensor"))
        #expect(error.description.contains("at byte"))
    }

    @Test func everyHeaderBitFlipIsRefused() throws {
        let bytes = try F.sample().encoded()
        for bit in 0..<(32 * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << UInt8(bit % 8)
            let error = F.decodeError(damaged)
            switch (bit / 8, error) {
            case (0..<8, .notACheckpoint?): break
            case (8..<10, .unsupportedVersion?): break
            case (12..<16, .malformed(part: "header", offset: 12, _)?): break
            case (10..<12, .checksumMismatch(part: "header", _, _, _)?), (16..<32, .checksumMismatch(part: "header", _, _, _)?): break
            default: Issue.record("flipping bit \(bit) gave \(String(describing: error))")
            }
        }
    }

    @Test func everyBitFlipAnywhereIsRefused() throws {
        var small = F.minimal()
        small.model["w"] = Tensor(shape: [2, 2], scalars: [1, 2, 3, 4])
        small.schedule = ["last_epoch": 1]
        small.rngStates = ["seed": 9]
        small.metrics = [EpochMetrics(epoch: 0, trainLoss: 1, trainAccuracy: 0.5, learningRate: 0.1, seconds: 1)]
        small.recipe = "r"
        let bytes = try small.encoded()
        for bit in 0..<(bytes.count * 8) {
            var damaged = bytes
            damaged[bit / 8] ^= 1 << UInt8(bit % 8)
            #expect(F.decodeError(damaged) != nil, "flipping bit \(bit) of \(bytes.count * 8) was not noticed")
        }
    }

    @Test func badChecksumNamesTheSection() throws {
        let checkpoint = F.sample()
        let sections = try CheckpointFormat.sections(checkpoint)
        var bytes = try checkpoint.encoded()
        // The MODEL section starts after the header and the ARCH section (16 + payload + 4).
        let modelStart = 32 + 16 + sections[0].payload.count + 4
        bytes[modelStart + 16 + 20] ^= 0x40 // inside the first tensor
        guard case .checksumMismatch(let part, let offset, let stored, let computed)? = F.decodeError(bytes) else {
            Issue.record("expected a checksum mismatch")
            return
        }
        #expect(part == "MODEL" && offset == modelStart && stored != computed)
        #expect(F.decodeError(bytes)!.description.contains("checksum mismatch in MODEL"))
        // The stored CRC itself damaged.
        var crcDamaged = try checkpoint.encoded()
        crcDamaged[crcDamaged.count - 1] ^= 1
        guard case .checksumMismatch(part: "RECIPE", _, _, _)? = F.decodeError(crcDamaged) else {
            Issue.record("expected RECIPE's checksum to mismatch")
            return
        }
    }

    @Test func versions() throws {
        var bytes = try F.sample().encoded()
        bytes[8] = 2
        bytes[10] = 0
        CheckpointFormat.patchHeader(&bytes)
        #expect(F.decodeError(bytes) == .unsupportedVersion(major: 2, minor: 0))
        #expect(F.decodeError(bytes)!.description.contains("unsupported checkpoint version 2.0"))
        // A newer minor version is read (minor versions only add optional sections).
        bytes[8] = 1
        bytes[10] = 7
        CheckpointFormat.patchHeader(&bytes)
        #expect(try Checkpoint(decoding: bytes) == F.sample())
        #expect(F.decodeError(Array("PK\u{3}\u{4} a zip file, not a checkpoint".utf8)) != nil)
        guard case .notACheckpoint? = F.decodeError(Array("PK\u{3}\u{4} a zip file, not a checkpoint".utf8)) else {
            Issue.record("expected notACheckpoint")
            return
        }
    }

    @Test func absurdCountsAreRefusedBeforeAllocating() throws {
        let huge: UInt32 = .max
        // 2³²-1 tensors in a file of about a hundred bytes.
        let tiny = try F.withPayload(.model, F.le32(huge), base: F.minimal())
        #expect(tiny.count < 200)
        guard case .malformed(part: "MODEL", _, let reason)? = F.decodeError(tiny) else {
            Issue.record("expected MODEL malformed, got \(String(describing: F.decodeError(tiny)))")
            return
        }
        #expect(reason.contains("4294967295 tensors declared"))

        let name = F.string("w")
        let cases: [(CheckpointFormat.Kind, [UInt8], String)] = [
            (.model, F.le32(1) + F.le32(huge), "name length 2³²-1"),
            (.model, F.le32(1) + name + F.le32(huge), "rank 2³²-1"),
            (.model, F.le32(1) + name + F.le32(1) + F.le64(.max), "dimension 2⁶⁴-1"),
            (.model, F.le32(1) + name + F.le32(3) + F.le64(0x7FFF_FFFF) + F.le64(0x7FFF_FFFF) + F.le64(0x7FFF_FFFF), "element count overflow"),
            (.model, F.le32(1) + name + F.le32(2) + F.le64(0x7FFF) + F.le64(0x7FFF), "data beyond the section"),
            (.architecture, F.le32(huge), "name length 2³²-1"),
            (.architecture, F.string("m") + F.le32(huge), "entry count"),
            (.architecture, F.string("m") + F.le32(1) + F.string("k") + F.le32(5) + F.le32(huge), "array count"),
            (.architecture, F.string("m") + F.le32(1) + F.string("k") + F.le32(99) + F.le64(0), "unknown value type"),
            (.architecture, F.string("m") + F.le32(1) + F.string("k") + F.le32(4) + [2], "bool 2"),
            (.optimizer, F.le32(huge), "shape count"),
            (.optimizer, F.le32(0) + F.le32(0) + F.le32(huge), "value count"),
            (.schedule, F.le32(huge), "value count"),
            (.rng, F.le32(huge), "state count"),
            (.rng, F.le32(2) + F.string("a") + F.le64(1) + F.string("a") + F.le64(2), "duplicate name"),
            (.metrics, F.le32(huge), "record count"),
            (.metrics, F.le32(1) + F.le64(0) + F.le32(0x80) + [UInt8](repeating: 0, count: 48), "unknown flags"),
            (.progress, F.le64(UInt64(bitPattern: -1)) + F.le64(0), "negative epoch"),
            (.recipe, F.le32(huge), "text length"),
            (.recipe, F.string("ok") + [0], "trailing byte"),
            (.recipe, F.le32(2) + [0xC3, 0x28], "invalid UTF-8"),
            (.model, F.le32(2) + name + F.le32(0) + F.le32(0) + name + F.le32(0) + F.le32(0), "duplicate tensor"),
        ]
        for (kind, payload, what) in cases {
            let error = F.decodeError(try F.withPayload(kind, payload))
            switch error {
            case .malformed(let part, _, _)?, .truncated(let part, _, _, _)?:
                #expect(part.hasPrefix(kind.name), "\(kind.name) \(what): \(part)")
            default:
                Issue.record("\(kind.name) \(what): \(String(describing: error))")
            }
        }
    }

    @Test func hostileFraming() throws {
        let sections = try CheckpointFormat.sections(F.sample())
        // Section count 2³²-1 in the header (with a valid header CRC).
        var bytes = try F.sample().encoded()
        bytes.replaceSubrange(24..<28, with: F.le32(.max))
        CheckpointFormat.patchHeader(&bytes)
        #expect(F.decodeError(bytes) == .malformed(part: "header", offset: 24, reason: "section count 4294967295 is outside 1...64"))
        // A section size of 2⁶⁴-1.
        bytes = try F.sample().encoded()
        bytes.replaceSubrange(40..<48, with: F.le64(.max))
        guard case .truncated(part: "ARCH", offset: 48, _, _)? = F.decodeError(bytes) else {
            Issue.record("huge section size: \(String(describing: F.decodeError(bytes)))")
            return
        }
        // A required section missing, one repeated, an unknown one required or optional.
        #expect(F.decodeError(CheckpointFormat.assemble(sections.filter { $0.kind != CheckpointFormat.Kind.rng.rawValue }))
                == .missingSection("RNG"))
        guard case .malformed(part: "MODEL", _, "the section appears twice")? = F.decodeError(CheckpointFormat.assemble(sections + [sections[1]])) else {
            Issue.record("a repeated section was accepted")
            return
        }
        guard case .malformed(part: "section kind 99", _, _)? = F.decodeError(CheckpointFormat.assemble(sections + [(99, 0, [1, 2, 3])])) else {
            Issue.record("an unknown required section was accepted")
            return
        }
        #expect(try Checkpoint(decoding: CheckpointFormat.assemble([(99, 1, [1, 2, 3])] + sections)) == F.sample(),
                "an unknown optional section is skipped")
        guard case .malformed(part: "MODEL", _, _)? = F.decodeError(CheckpointFormat.assemble(sections.map { ($0.kind, $0.kind == 2 ? 6 : 0, $0.payload) })) else {
            Issue.record("unknown section flags were accepted")
            return
        }
    }

    /// Random damage inside payloads, re-framed with valid CRCs so the parsers see it: never a
    /// crash; what decodes re-encodes to a checkpoint that decodes to itself.
    @Test func randomPayloadMutationsNeverCrash() throws {
        let sections = try CheckpointFormat.sections(F.sample())
        var random = SplitMix64(seed: 2024)
        var refused = 0
        for _ in 0..<3000 {
            var damaged = sections
            let s = Int(random.next() % UInt64(damaged.count))
            guard !damaged[s].payload.isEmpty else { continue }
            for _ in 0..<(1 + Int(random.next() % 4)) {
                let i = Int(random.next() % UInt64(damaged[s].payload.count))
                switch random.next() % 3 {
                case 0: damaged[s].payload[i] ^= UInt8(1 << (random.next() % 8))
                case 1: damaged[s].payload[i] = UInt8(truncatingIfNeeded: random.next())
                default: damaged[s].payload[i] = 0xFF
                }
            }
            do {
                let decoded = try Checkpoint(decoding: CheckpointFormat.assemble(damaged))
                #expect(try Checkpoint(decoding: try decoded.encoded()) == decoded)
            } catch is CheckpointError {
                refused += 1
            }
        }
        #expect(refused > 100)
    }

    @Test func errorMessagesArePrecise() throws {
        let name = F.string("fc1.weight")
        let payload = F.le32(1) + name + F.le32(2) + F.le64(3) + F.le64(2) + [UInt8](repeating: 0, count: 20)
        let error = try #require(F.decodeError(try F.withPayload(.model, payload)))
        guard case .truncated(part: "MODEL tensor 'fc1.weight'", _, needed: 24, available: 20) = error else {
            Issue.record("\(error)")
            return
        }
        #expect(error.description.hasPrefix("checkpoint truncated in MODEL tensor 'fc1.weight' at byte "))
        #expect(error.description.hasSuffix(": needs 24 bytes, 20 remain"))
    }
}
