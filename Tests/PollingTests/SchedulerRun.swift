import Polling

/// A scheduler's `run()` for the length of a test: started by `init`, cancelled and waited for by `stop()`, so no
/// poll outlives the test that started it.
final class SchedulerRun: Sendable {
    private let task: Task<Void, Never>

    init(_ scheduler: WatchScheduler) {
        task = Task { await scheduler.run() }
    }

    func stop() async {
        task.cancel()
        await task.value
    }
}
