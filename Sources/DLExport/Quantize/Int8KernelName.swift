import DLRuntime
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The kernel the C runtime dispatches a node to, named for the report: from
/// the op and the instruction set the runtime reports (`Runtime.isa`), as
/// CRuntime/gemm/igemm.c chooses them (AVX-512 without VNNI runs the AVX2
/// int8 GEMM and row kernels: the AVX-512 depthwise kernel needs vpdpwssd).
public struct Int8KernelName: Sendable {
    public let isa: String
    public let hasVNNI: Bool

    public init(isa: String, hasVNNI: Bool) {
        self.isa = isa
        self.hasVNNI = hasVNNI
    }

    /// The runtime's ISA on this machine.
    public static var current: Int8KernelName {
        Int8KernelName(isa: Runtime.isa, hasVNNI: Runtime.isa == "avx512" && cpuHasFlag("avx512_vnni"))
    }

    /// The instruction set of the int8 kernels (`dk_q8_rows_active`), which
    /// the slowdown rules are measured for.
    public var int8ISA: String { isa == "avx512" && !hasVNNI ? "avx2" : isa }

    func name(of node: NodeDefinition, in file: ModelFile, int8: Bool) -> String {
        let depthwise = node.isDepthwise(in: file)
        guard int8 else {
            switch node.op {
            case .conv2d: return depthwise ? "depthwise fp32 \(isa)" : "sgemm \(isa)"
            case .dense, .convTranspose2d: return "sgemm \(isa)"
            default: return "\(node.op.name) fp32 \(isa)"
            }
        }
        switch node.op {
        case .conv2d where depthwise: return "depthwise int8 \(int8ISA)"
        case .conv2d, .dense: return "igemm \(gemmConfiguration)"
        case .convTranspose2d: return "igemm \(gemmConfiguration) per phase"
        default: return "\(node.op.name) int8 \(int8ISA)"
        }
    }

    /// The int8 GEMM configuration (`dk_q8_cfg_active`).
    var gemmConfiguration: String {
        switch isa {
        case "avx512": return hasVNNI ? "avx512-vnni" : "avx2 (no VNNI)"
        default: return isa
        }
    }

    /// Whether /proc/cpuinfo lists `flag` (false where there is none).
    static func cpuHasFlag(_ flag: String) -> Bool {
        guard let stream = fopen("/proc/cpuinfo", "r") else { return false }
        defer { fclose(stream) }
        var line = [CChar](repeating: 0, count: 8192)
        while fgets(&line, Int32(line.count), stream) != nil {
            let text = String(cString: line)
            guard text.hasPrefix("flags") else { continue }
            return text.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" }).contains { $0 == flag }
        }
        return false
    }
}
