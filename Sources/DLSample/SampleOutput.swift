import DLImage
import DLSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing samples: all or nothing.
public enum SampleOutput {
    /// The grid of `images` in `layout` (cells past the images left black),
    /// 2 pixels of black around and between tiles.
    public static func grid(_ images: [Image], layout: GridLayout) throws -> Image {
        try layout.check(holding: images.count)
        guard let first = images.first else { throw SampleError.invalidArgument("no samples to tile") }
        var tiles = images
        let blank = try Image(width: first.width, height: first.height, channels: first.channels)
        tiles += Array(repeating: blank, count: layout.cells - images.count)
        return try Image.grid(tiles, columns: layout.columns)
    }

    /// Fails unless a file can be created at `path`.
    public static func checkWritable(_ path: String) throws {
        if let problem = OutputPathProblem.of(path) { throw SampleError.output(problem.message(naming: "'\(path)'")) }
    }

    /// Writes `image` as PNG at `path` atomically.
    public static func write(_ image: Image, to path: String) throws {
        do { try image.writePNG(to: path) } catch { throw SampleError.output("cannot write '\(path)': \(error)") }
    }

    /// The file names `--each` uses: `sample-000.png`, ... (at least 3 digits).
    public static func eachNames(count: Int) -> [String] {
        let digits = max(3, String(max(0, count - 1)).count)
        return (0..<count).map { k in
            let number = String(k)
            return "sample-" + String(repeating: "0", count: digits - number.count) + number + ".png"
        }
    }

    /// One PNG per image in `directory` (created when missing, its parent must exist).
    /// On any failure the files written so far are removed, and the directory if it was created here.
    /// Returns the paths written and whether the directory was created (for `remove`).
    @discardableResult
    public static func writeEach(_ images: [Image], to directory: String) throws -> (paths: [String], createdDirectory: Bool) {
        let paths = eachNames(count: images.count).map { directory + "/" + $0 }
        if let existing = paths.first(where: FileIO.exists) {
            throw SampleError.output("'\(existing)' already exists; --each writes into an empty or new directory")
        }
        let created: Bool
        if FileIO.isDirectory(directory) {
            created = false
        } else {
            if FileIO.exists(directory) { throw SampleError.output("--each '\(directory)' exists and is not a directory") }
            guard mkdir(directory, 0o755) == 0 else {
                let message = strerror(errno).map { String(cString: $0) } ?? "error \(errno)"
                throw SampleError.output("cannot create the directory '\(directory)': \(message)")
            }
            created = true
        }
        var written: [String] = []
        do {
            for (image, path) in zip(images, paths) {
                try write(image, to: path)
                written.append(path)
            }
        } catch {
            remove(written, directory: created ? directory : nil)
            throw error
        }
        return (written, created)
    }

    /// Undoes `writeEach`: removes the files, then the directory when given.
    public static func remove(_ paths: [String], directory: String?) {
        for path in paths { unlink(path) }
        if let directory { rmdir(directory) }
    }
}
