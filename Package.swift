// swift-tools-version:6.0
import Foundation
import PackageDescription

/// Everything under CRuntime/ that is neither a .c nor a .h file: textual
/// includes such as ops/vmath_kernels.inc (#included once per ISA), dlrt.map,
/// dlrt.pc.in. Listed explicitly as `sources`, SwiftPM would otherwise hand
/// each of them to the compiler. Scanning keeps the C authors free to add
/// such files without touching this manifest. SwiftPM caches the evaluated
/// manifest, so an existing build directory may not see a newly added file:
/// remove that build directory once (fresh builds and CI are unaffected).
let nonSourceFiles: [String] = {
    let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    let base = root.appendingPathComponent("CRuntime")
    guard let walker = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else {
        return []
    }
    return walker.compactMap { $0 as? URL }
        .filter { (try? $0.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true }
        .filter { !["c", "h"].contains($0.pathExtension) }
        .map { "CRuntime/" + String($0.standardizedFileURL.path.dropFirst(base.standardizedFileURL.path.count + 1)) }
        .sorted()
}()

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
            exclude: nonSourceFiles,
            sources: ["CRuntime"],
            publicHeadersPath: "include",
            cSettings: [.define("_POSIX_C_SOURCE", to: "200809L"), .unsafeFlags(["-std=c11", "-O2"])],
            linkerSettings: [.linkedLibrary("m"), .linkedLibrary("pthread")]
        ),
        /// Swift wrapper over dlrt.h: Model, Session, typed errors.
        .target(name: "DLRuntime", dependencies: ["CRuntime"]),
        /// Checkpoint to .dlrt: graph building and the format writer.
        /// Depends on CRuntime for the kernels' own shape functions (dk_conv2d_infer, ...),
        /// so that the writer and the runtime share one output-size formula.
        .target(name: "DLExport", dependencies: ["CRuntime"]),
        .testTarget(name: "DLRuntimeTests", dependencies: ["DLRuntime", "DLExport"]),
        .testTarget(name: "DLExportTests", dependencies: ["DLExport"]),
        /// Golden-model converter: tools/golden/make_golden.py's JSON + .bin to .dlrt.
        .executableTarget(name: "dlrt-golden", dependencies: ["DLExport"], path: "tools/golden/Converter"),
    ],
    swiftLanguageModes: [.v5]
)
