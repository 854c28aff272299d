// dlrt-draw-digits: draws the ten digits as MNIST-style 28x28 PNGs (white
// pen on black, anti-aliased, centred by centre of mass), so that the README's
// first command has something of the project's own to classify. The images in
// examples/digits are this program's output; a test redraws and compares them.
//
//   dlrt-draw-digits OUTPUT_DIR      -> OUTPUT_DIR/0.png ... 9.png
import DLImage
#if canImport(Glibc)
import Glibc
#endif

/// A pen stroke: points in a unit box, x to the right, y down.
typealias Stroke = [(x: Double, y: Double)]

/// An elliptical arc from `start` to `end` degrees (0 = right, 90 = down).
func arc(cx: Double, cy: Double, rx: Double, ry: Double, from start: Double, to end: Double) -> Stroke {
    let steps = 32
    return (0...steps).map { i in
        let t = (start + (end - start) * Double(i) / Double(steps)) * Double.pi / 180
        return (cx + rx * cos(t), cy + ry * sin(t))
    }
}

/// Handwriting-like glyphs, slightly slanted, drawn the way MNIST writers do.
let glyphs: [[Stroke]] = [
    [arc(cx: 0.5, cy: 0.5, rx: 0.32, ry: 0.46, from: 0, to: 360)],
    [[(0.6, 0.04), (0.44, 0.96)]],
    [arc(cx: 0.5, cy: 0.3, rx: 0.32, ry: 0.26, from: 200, to: 390) + [(0.15, 0.95), (0.88, 0.93)]],
    [arc(cx: 0.48, cy: 0.27, rx: 0.3, ry: 0.23, from: 210, to: 450)
        + arc(cx: 0.48, cy: 0.72, rx: 0.34, ry: 0.25, from: 270, to: 500)],
    [[(0.62, 0.96), (0.62, 0.04), (0.12, 0.64), (0.9, 0.64)]],
    [[(0.82, 0.05), (0.28, 0.05), (0.22, 0.44)] + arc(cx: 0.48, cy: 0.67, rx: 0.34, ry: 0.29, from: 235, to: 500)],
    [[(0.72, 0.04), (0.36, 0.42)] + arc(cx: 0.5, cy: 0.7, rx: 0.3, ry: 0.26, from: 200, to: 560)],
    [[(0.1, 0.06), (0.9, 0.06), (0.42, 0.96)]],
    [arc(cx: 0.5, cy: 0.26, rx: 0.26, ry: 0.22, from: 0, to: 360),
     arc(cx: 0.5, cy: 0.72, rx: 0.32, ry: 0.25, from: 0, to: 360)],
    [arc(cx: 0.48, cy: 0.3, rx: 0.3, ry: 0.25, from: 0, to: 360) + [(0.76, 0.35), (0.62, 0.97)]],
]

/// Distance from p to the segment a-b.
func distance(_ p: (Double, Double), _ a: (x: Double, y: Double), _ b: (x: Double, y: Double)) -> Double {
    let (dx, dy) = (b.x - a.x, b.y - a.y)
    let length2 = dx * dx + dy * dy
    let t = length2 == 0 ? 0 : max(0, min(1, ((p.0 - a.x) * dx + (p.1 - a.y) * dy) / length2))
    let (ex, ey) = (p.0 - (a.x + t * dx), p.1 - (a.y + t * dy))
    return (ex * ex + ey * ey).squareRoot()
}

/// Renders strokes into a `box` x `box` coverage map, 4x4 supersampled, with a pen `width` pixels wide.
func render(_ strokes: [Stroke], box: Int, width: Double) -> [Double] {
    let samples = 4
    var coverage = [Double](repeating: 0, count: box * box)
    for row in 0..<box {
        for column in 0..<box {
            var inside = 0
            for sy in 0..<samples {
                for sx in 0..<samples {
                    let x = (Double(column) + (Double(sx) + 0.5) / Double(samples)) / Double(box)
                    let y = (Double(row) + (Double(sy) + 0.5) / Double(samples)) / Double(box)
                    var nearest = Double.infinity
                    for stroke in strokes {
                        for (a, b) in zip(stroke, stroke.dropFirst()) {
                            nearest = min(nearest, distance((x, y), a, b))
                        }
                    }
                    if nearest * Double(box) <= width / 2 { inside += 1 }
                }
            }
            coverage[row * box + column] = Double(inside) / Double(samples * samples)
        }
    }
    return coverage
}

/// Places a glyph in a 28x28 image with its centre of mass at the centre, as MNIST was prepared.
func mnistImage(_ strokes: [Stroke]) throws -> Image {
    let box = 20, side = 28
    let coverage = render(strokes, box: box, width: 2.6)
    var mass = 0.0, mx = 0.0, my = 0.0
    for row in 0..<box {
        for column in 0..<box {
            let c = coverage[row * box + column]
            mass += c
            mx += c * Double(column)
            my += c * Double(row)
        }
    }
    let left = Int((Double(side) / 2 - 0.5 - mx / mass).rounded())
    let top = Int((Double(side) / 2 - 0.5 - my / mass).rounded())
    var image = try Image(width: side, height: side, channels: 1)
    for row in 0..<box {
        for column in 0..<box {
            let (y, x) = (row + top, column + left)
            guard (0..<side).contains(y), (0..<side).contains(x) else { continue }
            image.pixels[y * side + x] = UInt8((coverage[row * box + column] * 255).rounded())
        }
    }
    return image
}

let arguments = CommandLine.arguments
guard arguments.count == 2 else {
    fputs("usage: dlrt-draw-digits OUTPUT_DIR\n", stderr)
    exit(64)
}
do {
    for (digit, strokes) in glyphs.enumerated() {
        try mnistImage(strokes).writePNG(to: "\(arguments[1])/\(digit).png", compressionLevel: 9)
    }
} catch {
    fputs("dlrt-draw-digits: \(error)\n", stderr)
    exit(1)
}
