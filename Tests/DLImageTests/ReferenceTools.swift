import Testing
@testable import DLImage

/// The Debian tools' own decodes, made at test time: netpbm's `pngtopnm`
/// (over libpng) and `pamflip`, libjpeg-turbo's `djpeg`. Tests that use them
/// skip, saying which package to install, when they are missing
/// (`apt-get install -y netpbm libjpeg-turbo-progs`; .ci/run installs both).
enum ReferenceTools {
    static let pngtopnmPath = TestSupport.tool("pngtopnm")
    static let djpegPath = TestSupport.tool("djpeg")
    static let pamflipPath = TestSupport.tool("pamflip")

    static let pngtopnmMissing: Comment =
        "pngtopnm not installed (apt-get install -y netpbm); skipping the comparison with libpng's own tool"
    static let djpegMissing: Comment =
        "djpeg not installed (apt-get install -y libjpeg-turbo-progs); skipping the comparison with libjpeg's own tool"
    static let orientationToolsMissing: Comment =
        "djpeg or pamflip not installed (apt-get install -y libjpeg-turbo-progs netpbm); skipping the EXIF comparison"

    /// `pngtopnm`'s decode of a PNG file, alpha mixed over white (`-mix`), or
    /// only the alpha channel (`-alpha`).
    static func pngtopnm(_ path: String, alphaOnly: Bool = false) -> PNM? {
        guard let tool = pngtopnmPath else { return nil }
        let arguments = alphaOnly ? ["-alpha", path] : ["-mix", "-background=#ffffff", path]
        return TestSupport.run(tool, arguments).flatMap(PNM.init)
    }

    /// `djpeg`'s decode of a JPEG file at scale 1/`scaleDenominator` (stored orientation: djpeg ignores EXIF).
    static func djpeg(_ path: String, scaleDenominator: Int = 1) -> PNM? {
        guard let tool = djpegPath else { return nil }
        return TestSupport.run(tool, ["-pnm", "-scale", "1/\(scaleDenominator)", path]).flatMap(PNM.init)
    }

    /// `pamflip -xform=...` over a PNM file (e.g. "transpose,leftright").
    static func pamflip(_ path: String, xform: String) -> PNM? {
        guard let tool = pamflipPath else { return nil }
        return TestSupport.run(tool, ["-xform=\(xform)", path]).flatMap(PNM.init)
    }

    /// The largest difference between any sample of `image` and of `reference`,
    /// or nil when their sizes differ. A gray reference of a colour image (or
    /// the reverse) is compared after converting `image` to its channel count.
    static func worstDifference(_ image: Image, _ reference: PNM) throws -> Int? {
        guard image.width == reference.width, image.height == reference.height else { return nil }
        let matched = image.channels == reference.channels ? image : try image.converted(toChannels: reference.channels)
        return zip(matched.pixels, reference.pixels).map { abs(Int($0) - Int($1)) }.max() ?? 0
    }
}
