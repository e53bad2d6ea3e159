import Locking

/// Whether the service should get traffic: not before it listens, and no longer once shutdown has begun, so a load
/// balancer drains it while requests in flight finish.
final class Readiness: Sendable {
    enum State: Sendable {
        case starting
        case ready
        case shuttingDown
    }

    private let state = Locked(State.starting)

    var current: State { state.withLock { $0 } }

    func markReady() {
        state.withLock { if $0 == .starting { $0 = .ready } }
    }

    func markShuttingDown() { state.withLock { $0 = .shuttingDown } }
}
