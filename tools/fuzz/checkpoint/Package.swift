// swift-tools-version:6.0
// The checkpoint reader's libFuzzer target (tools/fuzz/README.md), a package of its own so that
// the root package's products stay as they are. Build it with sanitizers:
//   swift build -c release --sanitize=fuzzer --sanitize=address --scratch-path /tmp/build-fuzz-ckpt-swift
import PackageDescription

let package = Package(
    name: "fuzz-checkpoint",
    dependencies: [.package(name: "dlrt", path: "../../..")],
    targets: [
        .executableTarget(
            name: "fuzz_checkpoint",
            dependencies: [.product(name: "DeepLearning", package: "dlrt")],
            // libFuzzer supplies main().
            swiftSettings: [.unsafeFlags(["-parse-as-library"])]
        ),
    ]
)
