import DLImage

/// A directory tree of images, one subdirectory per class:
/// `root/<class>/*.{jpg,jpeg,png}`. Classes are the subdirectory names in
/// sorted (byte) order, labels their indices; files are taken in sorted
/// order. Every image is decoded once, in parallel, into an in-memory
/// `ImageDataset`.
public enum ImageFolder {
    /// What to do with images of other sizes.
    public enum Sizing: Sendable, Equatable {
        /// Every image must already be `width` x `height`; anything else is an error.
        case exactly(width: Int, height: Int)
        /// Resize the shorter side to fit, then center-crop to `width` x `height`.
        case resizeAndCenterCrop(width: Int, height: Int)
    }

    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// Loads `root`. `channels`: 1 or 3 (gray images are expanded, colour reduced to luma).
    /// `threads`: decoding threads (0, the default: every online CPU).
    public static func load(root: String, sizing: Sizing, channels: Int = 3, transform: ImageTransform = .unitRange,
                            threads: Int = 0, decodeOptions: DecodeOptions = DecodeOptions()) throws -> ImageDataset {
        guard channels == 1 || channels == 3 else { throw DataError.invalidArgument("channels \(channels) (need 1 or 3)") }
        let (width, height): (Int, Int)
        switch sizing {
        case .exactly(let w, let h), .resizeAndCenterCrop(let w, let h): (width, height) = (w, h)
        }
        guard width > 0, height > 0 else { throw DataError.invalidArgument("image size \(width)x\(height) must be positive") }
        guard FileIO.isDirectory(root) else { throw DataError.notFound(path: root, message: "not a directory") }

        let classes = try listing(root).filter { !$0.hasPrefix(".") && FileIO.isDirectory("\(root)/\($0)") }.sorted()
        guard !classes.isEmpty else { throw DataError.notFound(path: root, message: "no class subdirectories") }
        var files: [String] = []
        var labels: [Int] = []
        for (label, name) in classes.enumerated() {
            let directory = "\(root)/\(name)"
            let images = try listing(directory).filter { file in
                guard !file.hasPrefix("."), let dot = file.lastIndex(of: ".") else { return false }
                return imageExtensions.contains(file[file.index(after: dot)...].lowercased())
            }.sorted()
            for file in images {
                files.append("\(directory)/\(file)")
                labels.append(label)
            }
        }
        let imageSize = channels * height * width
        let pixels = try decodeAll(files, imageSize: imageSize, threads: threads) { path in
            var image = try Image(contentsOf: path, options: decodeOptions)
            if image.channels != channels { image = try image.converted(toChannels: channels) }
            if image.width != width || image.height != height {
                guard case .resizeAndCenterCrop = sizing else {
                    throw DataError.invalidFormat(path: path, message: "image is \(image.width)x\(image.height), expected \(width)x\(height)")
                }
                let scale = max(Double(width) / Double(image.width), Double(height) / Double(image.height))
                let w = max(width, Int((Double(image.width) * scale).rounded()))
                let h = max(height, Int((Double(image.height) * scale).rounded()))
                image = try image.resized(width: w, height: h).centerCropped(width: width, height: height)
            }
            return image
        }
        return try ImageDataset(channels: channels, height: height, width: width, pixels: pixels, labels: labels,
                                classes: classes, transform: transform)
    }

    static func listing(_ path: String) throws -> [String] {
        do { return try FileIO.list(path) } catch { throw DataError.image(ImageError(error)) }
    }

    /// Decodes every file with `decode` on `threads` threads into one CHW byte buffer.
    /// The first failure (in file order) is rethrown, naming the file.
    static func decodeAll(_ files: [String], imageSize: Int, threads: Int, decode: (String) throws -> Image) throws -> [UInt8] {
        let threads = threads > 0 ? threads : ParallelFor.processorCount
        var pixels = [UInt8](repeating: 0, count: files.count * imageSize)
        var errors = [Error?](repeating: nil, count: files.count)
        pixels.withUnsafeMutableBufferPointer { out in
            errors.withUnsafeMutableBufferPointer { failures in
                let base = out.baseAddress!, failureBase = failures.baseAddress!
                ParallelFor.dynamic(count: files.count, workers: threads, chunk: 32) { i in
                    do {
                        let image = try decode(files[i])
                        // HWC -> CHW
                        let c = image.channels, plane = image.width * image.height
                        let destination = base + i * imageSize
                        image.pixels.withUnsafeBufferPointer { src in
                            for p in 0..<plane {
                                for ch in 0..<c { destination[ch * plane + p] = src[p * c + ch] }
                            }
                        }
                    } catch {
                        failureBase[i] = error // slot i belongs to this iteration only
                    }
                }
            }
        }
        if let first = errors.firstIndex(where: { $0 != nil }) {
            switch errors[first]! {
            case let error as ImageError: throw DataError.image(error)
            case let error: throw error
            }
        }
        return pixels
    }
}
