// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "dlrt",
    products: [
        /// libdlrt.so for C users, behind the stable ABI in include/dlrt.h.
        .library(name: "dlrt", type: .dynamic, targets: ["CRuntime"]),
        .library(name: "DLRuntime", targets: ["DLRuntime"]),
        .library(name: "DLExport", targets: ["DLExport"]),
    ],
    targets: [
        /// The vendored C11 runtime: format reader, planner, thread pool, kernels.
        .target(
            name: "CRuntime",
            path: ".",
            sources: ["CRuntime"],
            publicHeadersPath: "include",
            cSettings: [.define("_POSIX_C_SOURCE", to: "200809L"), .unsafeFlags(["-std=c11", "-O2"])],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("pthread")]
        ),
        /// Swift wrapper over dlrt.h: Model, Session, typed errors.
        .target(name: "DLRuntime", dependencies: ["CRuntime"]),
        /// Checkpoint to .dlrt: graph building and the format writer.
        .target(name: "DLExport"),
        .testTarget(name: "DLRuntimeTests", dependencies: ["DLRuntime", "DLExport"]),
        .testTarget(name: "DLExportTests", dependencies: ["DLExport"]),
    ],
    swiftLanguageModes: [.v5]
)
