import DLSupport
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// "1234/10000 images  1523 images/s  ETA 0:05", redrawn in place on stderr.
final class ProgressLine {
    let total: Int
    let enabled: Bool
    let start = monotonicSeconds()

    init(total: Int, enabled: Bool) {
        self.total = total
        self.enabled = enabled
    }

    func update(done: Int) {
        guard enabled else { return }
        let elapsed = monotonicSeconds() - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Int(Double(total - done) / rate) : 0
        let width = 30, filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        fputs("\r[" + bar + "] " + formatted("%d/%d images  %.0f images/s  ETA %d:%02d ", done, total, rate, eta / 60, eta % 60), stderr)
    }

    func finish() {
        if enabled { fputs("\n", stderr) }
    }
}
