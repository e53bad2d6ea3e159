import HTTPServer
import Locking

/// Counts what the server reports to its observer.
final class ConnectionCounter: HTTPServerObserver {
    private let counts = Locked((opened: [String: Int](), closed: [String: Int]()))

    func connectionOpened(protocol name: String) { counts.withLock { $0.opened[name, default: 0] += 1 } }
    func connectionClosed(protocol name: String) { counts.withLock { $0.closed[name, default: 0] += 1 } }

    func opened(_ name: String) -> Int { counts.withLock { $0.opened[name, default: 0] } }
    func closed(_ name: String) -> Int { counts.withLock { $0.closed[name, default: 0] } }
}

/// Polls `condition` until it holds or `timeout` passes: for states the server reaches on its own threads.
func eventually(timeout: Duration = .seconds(10), _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return await condition()
}
