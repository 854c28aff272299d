/// DLSupport's file, clock and formatting helpers are part of what a training
/// program uses (`monotonicSeconds`, `formatted`, `FileIO`), so they come with
/// `import DeepLearning`.
@_exported import DLSupport
