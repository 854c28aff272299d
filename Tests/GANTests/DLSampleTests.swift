import Foundation
import Testing
import ToolTestSupport
import DLImage
import DLSupport
@testable import DLSample

@Suite struct PortableNormalTests {
    /// SplitMix64's published outputs for seed 0 (Vigna's reference splitmix64.c).
    @Test func splitMix64ReferenceValues() {
        var g = PortableNormal(seed: 0)
        #expect(g.nextBits() == 0xE220_A839_7B1D_CDAF)
        #expect(g.nextBits() == 0x6E78_9E6A_A1B9_65F4)
        #expect(g.nextBits() == 0x06C4_5D18_8009_454F)
    }

    @Test func boxMullerAsDocumented() {
        var bits = PortableNormal(seed: 5)
        let a = Double(bits.nextBits() >> 11) * 0x1p-53, b = Double(bits.nextBits() >> 11) * 0x1p-53
        let r = (-2 * Foundation.log(1 - a)).squareRoot()
        var g = PortableNormal(seed: 5)
        #expect(g.next() == Float(r * Foundation.cos(2 * Double.pi * b)))
        #expect(g.next() == Float(r * Foundation.sin(2 * Double.pi * b)))
    }

    @Test func standardNormalMoments() {
        let values = PortableNormal.latents(seed: 1, count: 1000, size: 100).map(Double.init)
        let mean = values.reduce(0, +) / Double(values.count)
        let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count)
        #expect(abs(mean) < 0.01 && abs(variance - 1) < 0.02)
        // Sample k does not depend on how many are drawn.
        #expect(Array(PortableNormal.latents(seed: 1, count: 3, size: 100)) == Array(values.prefix(300).map(Float.init)))
    }

    @Test func walkEndsAtBothSeedsLatents() throws {
        let walk = try LatentPlan.walk(from: 3, to: 8, count: 5).latents(size: 100)
        #expect(walk.count == 500)
        let a = PortableNormal.latents(seed: 3, count: 1, size: 100), b = PortableNormal.latents(seed: 8, count: 1, size: 100)
        for (x, y) in zip(walk.prefix(100), a) { #expect(abs(x - y) < 1e-5) }
        for (x, y) in zip(walk.suffix(100), b) { #expect(abs(x - y) < 1e-5) }
        // Spherical: the midpoint keeps the endpoints' length instead of shrinking as the chord's does.
        func norm<C: Collection>(_ v: C) -> Float where C.Element == Float { v.reduce(0) { $0 + $1 * $1 }.squareRoot() }
        let middle = walk[200..<300]
        #expect(norm(middle) > 0.95 * min(norm(a), norm(b)))
    }
}

@Suite struct GridLayoutTests {
    @Test func parsingAndFitting() throws {
        #expect(try GridLayout(parsing: "8x8") == GridLayout(columns: 8, rows: 8))
        #expect(try GridLayout(parsing: "16X4") == GridLayout(columns: 16, rows: 4))
        #expect(try GridLayout.fitting(64) == GridLayout(columns: 8, rows: 8))
        #expect(try GridLayout.fitting(10) == GridLayout(columns: 4, rows: 3))
        #expect(try GridLayout.fitting(1) == GridLayout(columns: 1, rows: 1))
        for bad in ["8", "8x", "x8", "0x4", "4x0", "-1x4", "axb", "8x8x8", ""] {
            #expect(throws: SampleError.self) { try GridLayout(parsing: bad) }
        }
        #expect(throws: SampleError.self) { try GridLayout(columns: 1 << 40, rows: 1 << 40) }
        #expect(throws: SampleError.self) { try GridLayout(columns: 3, rows: 3).check(holding: 10) }
        #expect(throws: SampleError.self) { try GridLayout(columns: 8, rows: 8).check(holding: 10) }
        #expect(throws: SampleError.self) { try GridLayout(columns: 2, rows: 2).check(holding: 0) }
        try GridLayout(columns: 4, rows: 3).check(holding: 10)
    }

    /// Tile k of a 3x2 grid sits at (2 + (k % 3)·(w + 2), 2 + (k / 3)·(h + 2)); the sixth cell is black.
    @Test func tilesArePlacedRowByRow() throws {
        let tiles = try (0..<5).map { k in try Image(width: 4, height: 3, channels: 1, fill: UInt8(50 * (k + 1))) }
        let grid = try SampleOutput.grid(tiles, layout: GridLayout(columns: 3, rows: 2))
        #expect(grid.width == 3 * 6 + 2 && grid.height == 2 * 5 + 2 && grid.channels == 1)
        for k in 0..<6 {
            let (x, y) = (2 + (k % 3) * 6, 2 + (k / 3) * 5)
            #expect(grid[x: x, y: y, channel: 0] == (k < 5 ? UInt8(50 * (k + 1)) : 0))
            #expect(grid[x: x + 3, y: y + 2, channel: 0] == (k < 5 ? UInt8(50 * (k + 1)) : 0))
            #expect(grid[x: x - 1, y: y, channel: 0] == 0, "padding")
        }
    }

    @Test func planarValuesMapFromTheOutputRange() throws {
        let image = try Image(planar: [-1, 0, 1, 2, -3, 0.5] as [Float], channels: 1, height: 2, width: 3, range: -1...1)
        // (v + 1) / 2 · 255, rounded half away from zero, clamped: 0, 127.5 -> 128, 255, 255, 0, 191.25 -> 191.
        #expect(image.pixels == [0, 128, 255, 255, 0, 191])
        let rgb = try Image(planar: [0, 1, 0, 1, 0, 1] as [Float], channels: 3, height: 1, width: 2, range: 0...1)
        #expect(rgb.pixels == [0, 0, 0, 255, 255, 255], "planes interleaved per pixel")
    }
}

@Suite struct SamplerTests {
    @Test func sameSeedGivesByteIdenticalPNGs() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        let model = try GANFixture.writeRandomGenerator(in: dir)
        var request = SampleRequest(modelPath: model)
        request.count = 12
        request.seed = 4
        request.grid = try GridLayout(parsing: "4x3")
        request.output = "\(dir)/a.png"
        let report = try Sampler.run(request)
        #expect(report.files == ["\(dir)/a.png"] && report.latentSize == 100 && report.imageShape == [1, 8, 8])
        request.output = "\(dir)/b.png"
        request.threads = 3 // the runtime's result must not depend on threads
        try Sampler.run(request)
        request.output = "\(dir)/c.png"
        request.seed = 5
        try Sampler.run(request)
        let (a, b, c) = try (FileIO.read("\(dir)/a.png"), FileIO.read("\(dir)/b.png"), FileIO.read("\(dir)/c.png"))
        #expect(a == b)
        #expect(a != c)
        let grid = try Image(contentsOf: "\(dir)/a.png")
        #expect(grid.width == 4 * 10 + 2 && grid.height == 3 * 10 + 2)

        // --each: the same images one per file, equal to the grid's tiles.
        request.seed = 4
        request.output = nil
        request.eachDirectory = "\(dir)/each"
        let each = try Sampler.run(request)
        #expect(each.files.count == 12 && GANFixture.files(in: "\(dir)/each").first == "sample-000.png")
        let tile = try Image(contentsOf: "\(dir)/each/sample-005.png")
        #expect(tile.width == 8 && tile.height == 8)
        for y in 0..<8 {
            for x in 0..<8 { #expect(tile[x: x, y: y, channel: 0] == grid[x: 2 + 1 * 10 + x, y: 2 + 1 * 10 + y, channel: 0]) }
        }
    }

    @Test func badInputsFailAndLeaveNothing() throws {
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        let model = try GANFixture.writeRandomGenerator(in: dir)
        let before = GANFixture.files(in: dir)
        func refused(_ change: (inout SampleRequest) -> Void) -> SampleError? {
            var request = SampleRequest(modelPath: model)
            request.output = "\(dir)/out.png"
            request.count = 4
            change(&request)
            do { _ = try Sampler.run(request); return nil } catch { return error as? SampleError }
        }
        #expect(refused { $0.count = 0 } == .invalidArgument("-n must be at least 1, got 0"))
        #expect(refused { $0.count = -3 } != nil)
        #expect(refused { $0.grid = try? GridLayout(columns: 1, rows: 3) }?.description.contains("too few") == true)
        #expect(refused { $0.output = "\(dir)/missing/out.png" }?.description.contains("does not exist") == true)
        #expect(refused { $0.output = dir } != nil, "a directory is not a file path")
        #expect(refused { $0.modelPath = "\(dir)/nothing.dlrt" } != nil)
        let lenet = Repository.root + "/models/mnist-lenet5.dlrt"
        let notGenerator = refused { $0.modelPath = lenet }
        #expect(notGenerator?.description.contains("input a latent vector [N, L] or [N, L, 1, 1]") == true)
        #expect(notGenerator?.description.contains("[1, 1, 28, 28]") == true)
        // --each into a directory that already holds a sample: refused before anything is written.
        try FileManager.default.createDirectory(atPath: "\(dir)/each", withIntermediateDirectories: false)
        FileManager.default.createFile(atPath: "\(dir)/each/sample-002.png", contents: Data())
        #expect(refused { $0.eachDirectory = "\(dir)/each" } != nil)
        #expect(GANFixture.files(in: "\(dir)/each") == ["sample-002.png"])
        // --each whose parent is missing.
        #expect(refused { $0.eachDirectory = "\(dir)/no/such/dir" } != nil)
        #expect(GANFixture.files(in: dir) == (before + ["each"]).sorted(), "no output file appeared")
    }

    @Test func commandLineExitCodesAndMessages() throws {
        guard Tool.path("dlsample") != nil else {
            print("skipping: the dlsample executable is not built next to the tests")
            return
        }
        let dir = try GANFixture.makeDirectory()
        defer { GANFixture.remove(dir) }
        let model = try GANFixture.writeRandomGenerator(in: dir)
        let ok = try Tool.run("dlsample", [model, "-n", "6", "--seed", "2", "--grid", "3x2", "-o", "s.png"], in: dir)
        #expect(ok.status == 0 && ok.out.contains("3x2 grid"), "\(ok.err)")
        let walk = try Tool.run("dlsample", [model, "--interpolate", "--seed", "1", "--to", "9", "-n", "5", "-o", "w.png"], in: dir)
        #expect(walk.status == 0 && walk.out.contains("walk from seed 1 to 9"), "\(walk.err)")
        for (arguments, status, message) in [
            (["-n", "0"], Int32(64), "-n must be at least 1"),
            (["-n", "10", "--grid", "3x3"], 64, "too few for 10 samples"),
            (["-n", "4", "--grid", "four"], 64, "is not COLUMNSxROWS"),
            (["-n", "4", "-o", "nowhere/s.png"], 1, "does not exist"),
            (["-n", "4", "--class", "3"], 1, "is an unconditional generator"),
        ] {
            let result = try Tool.run("dlsample", [model] + arguments + (arguments.contains("-o") ? [] : ["-o", "bad.png"]), in: dir)
            #expect(result.status == status && result.err.contains(message), "\(arguments): \(result.status) \(result.err)")
        }
        let lenet = try Tool.run("dlsample", [Repository.root + "/models/mnist-lenet5.dlrt", "-o", "l.png"], in: dir)
        #expect(lenet.status == 1 && lenet.err.contains("is not a generator"))
        #expect(GANFixture.files(in: dir) == ["gan.dlrt", "s.png", "w.png"])
    }
}
