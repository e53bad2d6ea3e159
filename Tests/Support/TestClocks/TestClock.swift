import Locking

/// A clock that moves only when a test advances it: long-poll deadlines and SSE pings without sleeping.
///
/// Sleepers wait in a ``Waiters`` registry, each until `now` reaches its deadline; `advance` wakes them all and each
/// checks again (under the registry's lock, so an advance racing a new sleeper is never missed).
public final class TestClock: Clock, Sendable {
    public struct Instant: InstantProtocol {
        /// Time since the clock was made.
        public var offset: Duration

        public func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        public func duration(to other: Instant) -> Duration { other.offset - offset }
        public static func < (lhs: Instant, rhs: Instant) -> Bool { lhs.offset < rhs.offset }
    }

    private let current = Locked(Instant(offset: .zero))
    private let sleepers = Waiters<Unkeyed>()

    public init() {}

    public var now: Instant { current.withLock { $0 } }
    public var minimumResolution: Duration { .zero }

    /// Tasks sleeping on the clock now.
    public var sleeperCount: Int { sleepers.count }

    public func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        while true {
            let result = await sleepers.wait(unless: { now >= deadline })
            if result == .ready { return }
            if result == .cancelled { throw CancellationError() }
        }
    }

    public func advance(by duration: Duration) {
        current.withLock { $0 = $0.advanced(by: duration) }
        sleepers.wakeAll()
    }

    /// Returns once at least `count` tasks sleep on the clock. Polled every millisecond of real time rather than spun
    /// on `Task.yield()`, which on a two-core machine starves the suites running beside it.
    public func untilSleepers(_ count: Int = 1) async {
        while sleepers.count < count { try? await Task.sleep(for: .milliseconds(1)) }
    }
}
