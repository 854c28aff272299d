/// The outer loop the generative and language-model trainers share: run
/// epochs up to --epochs, or to --stop-after as if interrupted.
public protocol EpochLoop: AnyObject {
    var epoch: Int { get }
    var settings: TrainingSettings { get }
    var options: TrainingOptions { get }
    func runEpoch() throws
}

extension EpochLoop {
    /// Trains up to `settings.epochs` (or `options.stopAfter`); returns the epochs run and the seconds.
    @discardableResult
    public func run() throws -> (epochsRun: Int, seconds: Double) {
        let start = monotonicSeconds()
        let first = epoch
        while epoch < min(settings.epochs, options.stopAfter ?? Int.max) { try runEpoch() }
        return (epoch - first, monotonicSeconds() - start)
    }
}
