#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where training output goes: a progress line on one stream (stderr),
/// results on another (stdout). `style` decides how progress is drawn.
public final class TrainingConsole: @unchecked Sendable {
    public enum ProgressStyle: String, Sendable, CaseIterable {
        /// `bar` on a terminal, `lines` otherwise.
        case auto
        /// One line redrawn in place with `\r`.
        case bar
        /// A plain line at each quarter of an epoch (and at least every 30 s): for logs and pipes.
        case lines
        /// No progress output.
        case none
    }

    public let style: ProgressStyle
    let progressStream: UnsafeMutablePointer<FILE>?
    let resultStream: UnsafeMutablePointer<FILE>?

    /// `progressStream`/`resultStream` nil: discard.
    public init(style: ProgressStyle = .auto, progressStream: UnsafeMutablePointer<FILE>? = stderr,
                resultStream: UnsafeMutablePointer<FILE>? = stdout) {
        if style == .auto {
            let fd = progressStream.map { fileno($0) } ?? -1
            self.style = fd >= 0 && isatty(fd) != 0 ? .bar : .lines
        } else {
            self.style = style
        }
        self.progressStream = progressStream
        self.resultStream = resultStream
    }

    /// A console that prints nothing (tests, library use).
    public static var silent: TrainingConsole { TrainingConsole(style: .none, progressStream: nil, resultStream: nil) }

    /// A line of results (stdout).
    public func result(_ line: String) {
        guard let resultStream else { return }
        fputs(line + "\n", resultStream)
        fflush(resultStream)
    }

    /// A note or warning (the progress stream, stderr).
    public func note(_ line: String) {
        guard let progressStream else { return }
        fputs(line + "\n", progressStream)
        fflush(progressStream)
    }

    func writeProgress(_ text: String) {
        guard let progressStream else { return }
        fputs(text, progressStream)
        fflush(progressStream)
    }
}

/// The live progress of one epoch: loss, accuracy, images (or other
/// `unit`s) per second, ETA.
public final class ProgressBar {
    let console: TrainingConsole
    let title: String
    let total: Int
    let unit: String
    let start = monotonicSeconds()
    var lastDraw = -Double.infinity
    var lastQuarter = 0
    var drewBar = false

    public init(console: TrainingConsole, title: String, totalBatches: Int, unit: String = "img") {
        self.console = console
        self.title = title
        self.total = max(1, totalBatches)
        self.unit = unit
    }

    /// After batch `done` (1-based) of the epoch, with the running means so far.
    /// `accuracy` nil: a model without one (a language model).
    public func update(done: Int, images: Int, loss: Double, accuracy: Double?) {
        let now = monotonicSeconds()
        let elapsed = now - start
        let rate = elapsed > 0 ? Double(images) / elapsed : 0
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let stats = formatted("loss %.4f ", loss) + (accuracy.map { formatted("acc %6.2f%% ", $0 * 100) } ?? "")
            + formatted("%6.0f \(unit)/s ETA ", rate)
        let line = "\(title) \(done)/\(total) " + stats + Self.clock(eta)
        switch console.style {
        case .bar, .auto:
            guard now - lastDraw >= 0.1 || done == total else { return }
            lastDraw = now
            let width = 24
            let filled = min(width, done * width / total)
            let bar = "[" + String(repeating: "=", count: filled) + String(repeating: " ", count: width - filled) + "]"
            console.writeProgress("\r\(title) \(bar) \(done)/\(total) " + stats + Self.clock(eta) + "\u{1B}[K")
            drewBar = true
        case .lines:
            let quarter = done * 4 / total
            guard quarter > lastQuarter || now - lastDraw >= 30 else { return }
            lastQuarter = quarter
            lastDraw = now
            console.writeProgress(line + "\n")
        case .none:
            return
        }
    }

    /// Ends the epoch's progress line (a bar is cleared so the summary can take its place).
    public func finish() {
        if drewBar { console.writeProgress("\r\u{1B}[K") }
    }

    /// `m:ss` or `h:mm:ss`.
    static func clock(_ seconds: Double) -> String {
        guard seconds.isFinite else { return "?" }
        let s = max(0, Int(seconds.rounded()))
        return s >= 3600 ? formatted("%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60) : formatted("%d:%02d", s / 60, s % 60)
    }
}
