// swift-tools-version:6.0
// Note: with SwiftPM 6.3 a custom --scratch-path fails every second build in this
// package ("unknown build description"); the default .build does not. Scripts
// that need their own scratch path pass --disable-build-manifest-caching.
import PackageDescription

let package = Package(
    name: "dlrt",
    products: [
        /// libdlrt.so for C users, behind the stable ABI in include/dlrt.h.
        .library(name: "dlrt", type: .dynamic, targets: ["CRuntime"]),
        .library(name: "DLRuntime", targets: ["DLRuntime"]),
        .library(name: "DLExport", targets: ["DLExport"]),
        .library(name: "DLImage", targets: ["DLImage"]),
        .library(name: "DeepLearning", targets: ["DeepLearning"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
    ],
    targets: [
        /// The vendored C11 runtime: format reader, planner, thread pool, kernels.
        .target(
            name: "CRuntime",
            path: ".",
            // Build files for `make`; SwiftPM must not treat them as sources.
            exclude: ["CRuntime/dlrt.map", "CRuntime/dlrt.pc.in", "CRuntime/dlrt.exports"],
            sources: ["CRuntime"],
            publicHeadersPath: "include",
            cSettings: [.define("_POSIX_C_SOURCE", to: "200809L")],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("pthread")]
        ),
        /// Swift wrapper over dlrt.h: Model, Session, typed errors.
        .target(name: "DLRuntime", dependencies: ["CRuntime"]),
        /// Checkpoint to .dlrt: lowering zoo models (BN folding, fusion), graph building, the format writer.
        /// Depends on CRuntime for the kernels' own shape functions (dk_conv2d_infer, ...),
        /// so that the writer and the runtime share one output-size formula, and on DLRuntime
        /// to check every exported model in the runtime before writing it.
        .target(name: "DLExport", dependencies: ["CRuntime", "DLSupport", "DeepLearning", "DLRuntime"]),
        /// The training engine: Tensor, tape autograd, layers, optimizers, data.
        /// Float tensors run on CRuntime's kernels (CRuntime.Kernels).
        .target(name: "DeepLearning", dependencies: ["CRuntime", "DLImage", "DLSupport"]),
        .testTarget(name: "DeepLearningTests", dependencies: ["DeepLearning", "ToolTestSupport"],
                    // PyTorch goldens, read by path from the tests
                    exclude: ["Golden/optimizers.json", "Golden/schedules.json", "Golden/recurrent_training.json", "Zoo/resnet18_state_dict.txt"]),
        /// dltrain: the training command line (parsing and printing; the loop is DeepLearning/Training).
        .executableTarget(
            name: "dltrain",
            dependencies: ["DeepLearning", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "DLTrainTests", dependencies: ["DeepLearning", "ToolTestSupport"]),
        /// Finds and runs the built command-line tools from their tests.
        .target(name: "ToolTestSupport", path: "Tests/ToolTestSupport"),
        /// Safe C wrappers over the system libpng, libjpeg and zlib (no exit/abort/print).
        .target(
            name: "CImageCodecs",
            linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("jpeg"), .linkedLibrary("z")]
        ),
        /// Image I/O: PNG/JPEG decode, PNG encode, resize, crop, normalise.
        .target(name: "DLImage", dependencies: ["CImageCodecs", "DLSupport"]),
        /// What every writer shares: crash-safe file writes (FileIO) and the formats' CRC-32.
        .target(name: "DLSupport", dependencies: ["CRuntime"]),
        .testTarget(name: "DLImageTests", dependencies: ["DLImage", "CImageCodecs", "ToolTestSupport"]),
        .testTarget(name: "DLRuntimeTests", dependencies: ["DLRuntime", "DLExport"]),
        .testTarget(name: "DLExportTests", dependencies: ["DLExport", "DeepLearning", "DLRuntime", "DLImage", "ToolTestSupport"]),
        /// dlexport: checkpoint to .dlrt, and --inspect (parsing and printing; the work is DLExport).
        .executableTarget(
            name: "dlexport",
            dependencies: ["DLExport", "DeepLearning", "DLRuntime",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        /// Image classification over a .dlrt model and its input contract (the work behind `classify`).
        .target(name: "DLClassify", dependencies: ["DLRuntime", "DLImage"]),
        /// classify photo.jpg [more ...|DIR]: parsing and printing only.
        .executableTarget(
            name: "classify",
            dependencies: ["DLClassify", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "ClassifyTests", dependencies: ["DLClassify", "DLExport", "ToolTestSupport"]),
        /// Sampling a generator .dlrt in the C runtime: latents, grids, PNGs (the work behind `dlsample`).
        .target(name: "DLSample", dependencies: ["DLRuntime", "DLImage", "DLSupport"]),
        /// dlsample gan.dlrt [-n 64] [--seed S] [--grid 8x8] [-o samples.png] [--each DIR] [--interpolate]: parsing and printing only.
        .executableTarget(
            name: "dlsample",
            dependencies: ["DLSample", "DLSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        /// Text from a character-level .dlrt model in the C runtime: its contract, sampling (the work behind `dlgen`).
        .target(name: "DLGen", dependencies: ["DLRuntime", "DLSupport"]),
        /// dlgen model.dlrt [--prime TEXT] [--length 500] [--temperature 0.8] [--seed S] [--threads N]: parsing and printing only.
        .executableTarget(
            name: "dlgen",
            dependencies: ["DLGen", "DLSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "DLGenTests", dependencies: ["DLGen", "DLExport", "DLRuntime", "DLSupport", "ToolTestSupport"]),
        /// The generator quality gate (docs/GAN.md): LeNet confidence, class entropy, Fréchet distance, samples/s.
        .executableTarget(name: "dlrt-gan-quality",
                          dependencies: ["DLSample", "DLExport", "DeepLearning", "DLRuntime", "DLImage",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          path: "tools/bench/gan_quality"),
        /// GAN and autoencoder training, generator export and dlsample (issue #6).
        .testTarget(name: "GANTests", dependencies: ["DeepLearning", "DLExport", "DLRuntime", "DLSample", "DLImage",
                                                     "ToolTestSupport"]),
        /// Golden-model converter: tools/golden/make_golden.py's JSON + .bin to .dlrt.
        .executableTarget(name: "dlrt-golden", dependencies: ["DLExport"], path: "tools/golden/Converter"),
        /// Training steps per second on random data, for tools/bench/train_bench.py.
        .executableTarget(name: "dlrt-train-bench", dependencies: ["DeepLearning"], path: "tools/bench/TrainBench"),
        .executableTarget(name: "dlrt-draw-digits", dependencies: ["DLImage"], path: "tools/samples/DrawDigits"),
        /// Many-to-one sequence classification (is a sequence sorted? a GRU), tested by SortednessTaskTests.
        .executableTarget(name: "dlrt-sequence-sorted", dependencies: ["DeepLearning"], path: "examples/sequence-sorted"),
        /// The README's "Swift wrapper in 10 lines", built and run by ClassifyTests.ReadmeExampleTests.
        .executableTarget(name: "dlrt-swift-example", dependencies: ["DLClassify", "DLRuntime"], path: "examples/swift"),
    ],
    swiftLanguageModes: [.v5],
    cLanguageStandard: .c11
)
