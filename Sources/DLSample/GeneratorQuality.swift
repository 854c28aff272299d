#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The numbers of the generator quality gate (docs/GAN.md): how confidently
/// a classifier recognises generated images, how evenly they spread over
/// its classes, and the Fréchet distance between its features of generated
/// and of real images (Heusel et al. 2017's FID, with the classifier's
/// penultimate layer in place of Inception's).
public enum GeneratorQuality {
    /// The fraction of rows of `logits` ([count, classes], row-major) whose softmax maximum is at least `threshold`.
    public static func confidentFraction(logits: [Float], classes: Int, threshold: Double = 0.9) -> Double {
        let rows = logits.count / classes
        guard rows > 0 else { return 0 }
        var confident = 0
        for r in 0..<rows {
            let row = logits[(r * classes)..<((r + 1) * classes)].map(Double.init)
            let top = row.max()!
            let sum = row.reduce(0) { $0 + exp($1 - top) }
            if 1 / sum >= threshold { confident += 1 }
        }
        return Double(confident) / Double(rows)
    }

    /// The predicted class (argmax) of each row.
    public static func predictions(logits: [Float], classes: Int) -> [Int] {
        (0..<(logits.count / classes)).map { r in
            let row = logits[(r * classes)..<((r + 1) * classes)]
            return row.indices.max { row[$0] < row[$1] }! - r * classes
        }
    }

    /// The entropy in nats of the histogram of `labels` over `classes` bins (ln classes when uniform, 0 for one class).
    public static func histogramEntropy(_ labels: [Int], classes: Int) -> Double {
        guard !labels.isEmpty else { return 0 }
        var counts = [Int](repeating: 0, count: classes)
        for label in labels where label >= 0 && label < classes { counts[label] += 1 }
        let total = Double(labels.count)
        return counts.filter { $0 > 0 }.reduce(0) { $0 - Double($1) / total * log(Double($1) / total) }
    }

    /// The mean and covariance (divided by n - 1) of `count` feature vectors of `dimension` values, row-major.
    public static func gaussian(_ features: [Float], dimension d: Int) -> (mean: [Double], covariance: [Double]) {
        let n = features.count / d
        precondition(n >= 2 && n * d == features.count, "gaussian: need at least two whole feature vectors")
        var mean = [Double](repeating: 0, count: d)
        for i in 0..<n { for j in 0..<d { mean[j] += Double(features[i * d + j]) } }
        for j in 0..<d { mean[j] /= Double(n) }
        var covariance = [Double](repeating: 0, count: d * d)
        var centered = [Double](repeating: 0, count: d)
        for i in 0..<n {
            for j in 0..<d { centered[j] = Double(features[i * d + j]) - mean[j] }
            for a in 0..<d where centered[a] != 0 {
                for b in a..<d { covariance[a * d + b] += centered[a] * centered[b] }
            }
        }
        for a in 0..<d {
            for b in a..<d {
                covariance[a * d + b] /= Double(n - 1)
                covariance[b * d + a] = covariance[a * d + b]
            }
        }
        return (mean, covariance)
    }

    /// ‖μ₁ - μ₂‖² + Tr(Σ₁ + Σ₂ - 2 (Σ₁ Σ₂)^½) between the Gaussians fitted to two feature sets.
    /// Tr((Σ₁Σ₂)^½) is computed as Σ √λ over the eigenvalues λ of the symmetric
    /// Σ₁^½ Σ₂ Σ₁^½ (same spectrum), by Jacobi rotations in Double.
    public static func frechetDistance(_ a: [Float], _ b: [Float], dimension d: Int) -> Double {
        let (m1, s1) = gaussian(a, dimension: d), (m2, s2) = gaussian(b, dimension: d)
        var distance = zip(m1, m2).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
        for i in 0..<d { distance += s1[i * d + i] + s2[i * d + i] }
        let root = symmetricSquareRoot(s1, d)
        let middle = multiply(multiply(root, s2, d), root, d)
        let traceRoot = symmetricEigenvalues(middle, d).reduce(0) { $0 + max($1, 0).squareRoot() }
        return distance - 2 * traceRoot
    }

    // MARK: - small dense linear algebra (d x d, row-major)

    static func multiply(_ x: [Double], _ y: [Double], _ d: Int) -> [Double] {
        var out = [Double](repeating: 0, count: d * d)
        for i in 0..<d {
            for k in 0..<d where x[i * d + k] != 0 {
                let v = x[i * d + k]
                for j in 0..<d { out[i * d + j] += v * y[k * d + j] }
            }
        }
        return out
    }

    /// V √max(D, 0) Vᵀ for the symmetric positive semi-definite `m`.
    static func symmetricSquareRoot(_ m: [Double], _ d: Int) -> [Double] {
        let (values, vectors) = jacobi(m, d)
        var out = [Double](repeating: 0, count: d * d)
        for k in 0..<d {
            let s = max(values[k], 0).squareRoot()
            guard s > 0 else { continue }
            for i in 0..<d {
                let vik = vectors[i * d + k] * s
                for j in 0..<d { out[i * d + j] += vik * vectors[j * d + k] }
            }
        }
        return out
    }

    static func symmetricEigenvalues(_ m: [Double], _ d: Int) -> [Double] { jacobi(m, d).values }

    /// Cyclic Jacobi eigenvalue iteration: eigenvalues and the eigenvectors as columns.
    static func jacobi(_ input: [Double], _ d: Int) -> (values: [Double], vectors: [Double]) {
        var a = input
        // Symmetrise away rounding differences between a[i][j] and a[j][i].
        for i in 0..<d { for j in (i + 1)..<max(d, i + 1) { let s = (a[i * d + j] + a[j * d + i]) / 2; a[i * d + j] = s; a[j * d + i] = s } }
        var v = [Double](repeating: 0, count: d * d)
        for i in 0..<d { v[i * d + i] = 1 }
        for _ in 0..<100 {
            var off = 0.0, scale = 0.0
            for i in 0..<d {
                scale += a[i * d + i] * a[i * d + i]
                for j in (i + 1)..<max(d, i + 1) { off += a[i * d + j] * a[i * d + j] }
            }
            if off <= 1e-30 * max(scale, 1e-300) { break }
            for p in 0..<d {
                for q in (p + 1)..<max(d, p + 1) where a[p * d + q] != 0 {
                    let theta = (a[q * d + q] - a[p * d + p]) / (2 * a[p * d + q])
                    let t = (theta >= 0 ? 1.0 : -1.0) / (abs(theta) + (theta * theta + 1).squareRoot())
                    let c = 1 / (t * t + 1).squareRoot(), s = t * c
                    for k in 0..<d {
                        let akp = a[k * d + p], akq = a[k * d + q]
                        a[k * d + p] = c * akp - s * akq
                        a[k * d + q] = s * akp + c * akq
                    }
                    for k in 0..<d {
                        let apk = a[p * d + k], aqk = a[q * d + k]
                        a[p * d + k] = c * apk - s * aqk
                        a[q * d + k] = s * apk + c * aqk
                    }
                    for k in 0..<d {
                        let vkp = v[k * d + p], vkq = v[k * d + q]
                        v[k * d + p] = c * vkp - s * vkq
                        v[k * d + q] = s * vkp + c * vkq
                    }
                }
            }
        }
        return ((0..<d).map { a[$0 * d + $0] }, v)
    }
}
