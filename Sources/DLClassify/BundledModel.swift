import DLSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where `classify` finds its default model when `--model` is not given:
/// `models/<name>` beside the executable or in one of its ancestor
/// directories (a build in `.build/release` of a clone finds the clone's
/// `models/`), `share/dlrt/models/<name>` under an install prefix, then
/// `models/<name>` in the current directory.
public enum BundledModel {
    /// The CIFAR-10 classifier in models/ (see the README for its recipe and accuracy).
    public static let defaultName = "cifar10-resnet20.dlrt"
    /// Its int8 export. It is bundled only when it keeps the fp32 accuracy (within 0.3 points),
    /// and then it is the default: smaller and faster for the same answers.
    public static let int8Name = "cifar10-resnet20-int8.dlrt"

    /// The model `classify` uses without `--model`: in the first place that holds
    /// a bundle, the int8 file when it is there and `fp32` is false, else the fp32 one.
    public static func locateDefault(fp32: Bool = false, executable: String? = currentExecutable()) throws -> String {
        if !fp32 {
            for (int8, plain) in zip(candidates(int8Name, executable: executable), candidates(defaultName, executable: executable)) {
                if FileIO.exists(int8) { return int8 }
                if FileIO.exists(plain) { return plain }
            }
        }
        return try locate(defaultName, executable: executable)
    }

    /// The first existing candidate, or an error that lists the places searched.
    public static func locate(_ name: String = defaultName, executable: String? = currentExecutable()) throws -> String {
        let candidates = Self.candidates(name, executable: executable)
        if let found = candidates.first(where: FileIO.exists) { return found }
        throw ClassifyError.model("no --model given and the bundled model '\(name)' is not in any of: "
                                  + candidates.joined(separator: ", "))
    }

    static func candidates(_ name: String, executable: String?) -> [String] {
        var result: [String] = []
        if let executable {
            var directory = parent(executable)
            while !directory.isEmpty {
                let prefix = directory == "/" ? "" : directory
                result.append(prefix + "/models/" + name)
                result.append(prefix + "/share/dlrt/models/" + name)
                if directory == "/" { break }
                directory = parent(directory)
            }
        }
        result.append("models/" + name)
        return result
    }

    static func parent(_ path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// This process's executable, resolved (Linux: /proc/self/exe).
    public static func currentExecutable() -> String? {
        var buffer = [CChar](repeating: 0, count: 4096)
        let n = readlink("/proc/self/exe", &buffer, buffer.count - 1)
        guard n > 0 else { return nil }
        return String(decoding: buffer[..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
