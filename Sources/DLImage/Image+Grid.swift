extension Image {
    /// Tiles equally sized images into one, row-major, `columns` per row, with
    /// `padding` pixels of `background` around and between the tiles (as
    /// torchvision's make_grid). Channels are promoted to the largest among
    /// the images (gray to RGB, opaque alpha added).
    public static func grid(_ images: [Image], columns: Int, padding: Int = 2, background: UInt8 = 0) throws -> Image {
        guard let first = images.first else { throw ImageError.invalidArgument("grid of no images") }
        guard columns > 0, padding >= 0 else {
            throw ImageError.invalidArgument("grid needs columns > 0 and padding >= 0 (got \(columns), \(padding))")
        }
        for (i, image) in images.enumerated() where image.width != first.width || image.height != first.height {
            throw ImageError.invalidArgument(
                "grid image \(i) is \(image.width)x\(image.height), image 0 is \(first.width)x\(first.height)")
        }
        let channels = images.map(\.channels).max()!
        let cols = min(columns, images.count)
        let rows = (images.count + cols - 1) / cols
        let width = cols * (first.width + padding) + padding
        let height = rows * (first.height + padding) + padding
        var out = try Image(width: width, height: height, channels: channels, fill: background)
        if channels == 4 { for i in 0..<(width * height) { out.pixels[4 * i + 3] = 255 } }
        for (index, source) in images.enumerated() {
            let image = try source.converted(toChannels: channels)
            let originX = padding + (index % cols) * (first.width + padding)
            let originY = padding + (index / cols) * (first.height + padding)
            let rowLength = image.width * channels
            for y in 0..<image.height {
                let dst = ((originY + y) * width + originX) * channels
                out.pixels.replaceSubrange(dst..<(dst + rowLength), with: image.pixels[(y * rowLength)..<((y + 1) * rowLength)])
            }
        }
        return out
    }
}
