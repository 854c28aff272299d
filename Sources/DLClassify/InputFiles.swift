import DLImage
import DLSupport

/// The images a command line names: files as given, directories expanded to
/// the image files beneath them (recursively, sorted, hidden entries
/// skipped). A path that does not exist, or a directory without images, is
/// kept as a failed entry so that it gets its own error message.
public enum InputFiles {
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    public static func expand(_ arguments: [String]) -> [Result<String, ClassifyError>] {
        var result: [Result<String, ClassifyError>] = []
        for argument in arguments {
            if FileIO.isDirectory(argument) {
                let found = images(under: argument)
                if found.isEmpty {
                    result.append(.failure(.input(path: argument, message: "no .jpg, .jpeg or .png files in this directory")))
                }
                result += found.map { .success($0) }
            } else if FileIO.exists(argument) {
                result.append(.success(argument))
            } else {
                result.append(.failure(.input(path: argument, message: "no such file or directory")))
            }
        }
        return result
    }

    /// Image files under `directory`, depth first in sorted name order.
    static func images(under directory: String) -> [String] {
        guard let names = try? FileIO.list(directory) else { return [] }
        var found: [String] = []
        let base = directory.hasSuffix("/") ? String(directory.dropLast()) : directory
        for name in names.sorted() where !name.hasPrefix(".") {
            let path = base + "/" + name
            if FileIO.isDirectory(path) {
                found += images(under: path)
            } else if let dot = name.lastIndex(of: "."),
                      imageExtensions.contains(name[name.index(after: dot)...].lowercased()) {
                found.append(path)
            }
        }
        return found
    }
}
