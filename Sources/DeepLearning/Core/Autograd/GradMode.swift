/// Whether ops record the graph for `backward()`: on by default, off inside
/// `withNoGrad` (scoped to the current task, or the current thread outside
/// of tasks, so concurrent evaluation elsewhere is unaffected).
public enum GradMode {
    @TaskLocal static var isEnabled = true

    /// True when an op run now would be recorded.
    public static var isRecording: Bool { isEnabled }
}

/// Runs `body` without recording: results of ops inside carry no graph,
/// whatever their inputs require (PyTorch's `torch.no_grad()`).
@discardableResult
public func withNoGrad<R>(_ body: () throws -> R) rethrows -> R {
    try GradMode.$isEnabled.withValue(false, operation: body)
}

/// `withNoGrad` for async code.
@discardableResult
public func withNoGrad<R>(_ body: () async throws -> R) async rethrows -> R {
    try await GradMode.$isEnabled.withValue(false, operation: body)
}
