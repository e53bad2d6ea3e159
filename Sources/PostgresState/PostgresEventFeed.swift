import Locking
import Postgres

/// Follows the `events` table in id order for one replica: the path by which a change made on any replica reaches
/// this one's cache, long-polls and SSE subscribers.
///
/// LISTEN comes first, then the catch-up read, so no commit falls between the two. Each notification is only a
/// hint to read again (its payload is not trusted); the table is read every `pollEvery` anyway, which is how events
/// are still found while the LISTEN connection is down, and after each reconnect the feed reads again at once.
/// `deliver` gets every event exactly once, in id order, never concurrently with itself.
public final class PostgresEventFeed: Sendable {
    public struct Update: Sendable, Hashable {
        /// Consecutive events, oldest first.
        public var events: [StoredEvent]
        /// Events between the cursor and `events` were deleted by retention before this replica read them.
        public var missedEvents: Bool
    }

    private struct State {
        var cursor: UInt64
        var listening = false
        var lastReadFailed = false
        var listener: PostgresListener?
        var tasks: [Task<Void, Never>] = []
    }

    private let state: PostgresScanState
    private let status: Locked<State>
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    /// Starts following after event `cursor` (the last id this replica already has; `lastEventId()` at start to
    /// follow only new events). `deliver` runs on a task of the feed: keep it short (install into the cache,
    /// publish to subscribers).
    ///
    /// `spacing`: after a read that found events the feed waits this long before reading again, so that under a
    /// stream of commits (every one notifies) a read collects every commit of the interval instead of one read per
    /// commit or two — each read is a statement on the database and a round trip from every replica. A change made
    /// while the feed is idle is read at once; one made during a stream, at most `spacing` later.
    public init(
        state: PostgresScanState, settings: ConnectionSettings, after cursor: UInt64, pollEvery: Duration = .seconds(2),
        spacing: Duration = .milliseconds(2), batch: Int = 500, listener configuration: PostgresListener.Configuration = .init(),
        deliver: @escaping @Sendable (Update) async -> Void
    ) throws(PostgresError) {
        self.state = state
        status = Locked(State(cursor: cursor))
        // One pending wake-up is enough: a read catches up with everything committed before it.
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let wake = self.wake
        let status = self.status
        let listener = try PostgresListener(settings, channel: state.configuration.notifyChannel, configuration: configuration) { event in
            switch event {
            case .listening:
                status.withLock { $0.listening = true }
                wake.yield()
            case .notification:
                wake.yield()
            case .disconnected:
                status.withLock { $0.listening = false }
                // Read at once: whether the database itself still answers is what readiness reports, and waiting
                // for the ticker would leave a replica ready for up to `pollEvery` after its database went away.
                wake.yield()
            }
        }
        let reader = Task { [wakes] in
            for await _ in wakes {
                if await Self.catchUp(state: state, status: status, batch: batch, deliver: deliver), spacing > .zero {
                    try? await Task.sleep(for: spacing)
                }
            }
        }
        let ticker = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: pollEvery)
                wake.yield()
            }
        }
        self.status.withLock { state in
            state.listener = listener
            state.tasks = [reader, ticker]
        }
    }

    /// The id of the last event delivered.
    public var cursor: UInt64 { status.withLock { $0.cursor } }

    /// LISTEN is in place and the last read of the table succeeded: what `/readyz` may ask.
    public var isHealthy: Bool { status.withLock { $0.listening && !$0.lastReadFailed } }

    /// The last read of the table succeeded: the database answers. While LISTEN reconnects, changes still arrive
    /// by the periodic read, only later.
    public var canRead: Bool { status.withLock { !$0.lastReadFailed } }

    /// Reads the table now rather than at the next tick: after a write failed for want of the database, so that
    /// readiness follows within one read.
    public func readNow() {
        wake.yield()
    }

    /// Stops listening and reading; returns once no `deliver` call is running. Idempotent.
    public func stop() async {
        let (listener, tasks) = status.withLock { state in
            defer {
                state.listener = nil
                state.tasks = []
            }
            return (state.listener, state.tasks)
        }
        await listener?.shutdown()
        wake.finish()
        for task in tasks {
            task.cancel()
            await task.value
        }
    }

    /// Reads from the cursor until it reaches the last event committed when it read, delivering each page — without
    /// a read that finds nothing more: a commit after a read notifies, and that wake-up reads it. A failed read is
    /// left for the next wake-up (the ticker brings one within `pollEvery`).
    /// Returns whether it delivered anything.
    private static func catchUp(
        state: PostgresScanState, status: Locked<State>, batch: Int, deliver: @Sendable (Update) async -> Void
    ) async -> Bool {
        var delivered = false
        while !Task.isCancelled {
            let cursor = status.withLock { $0.cursor }
            let page: StoredEventPage
            do {
                page = try await state.events(after: cursor, limit: batch)
            } catch {
                status.withLock { $0.lastReadFailed = true }
                return delivered
            }
            status.withLock { $0.lastReadFailed = false }
            guard !page.events.isEmpty || page.missedEvents else { return delivered }
            await deliver(Update(events: page.events, missedEvents: page.missedEvents))
            delivered = true
            // Past the last id, the database went back (a restore, a failover that lost commits): follow it from
            // where it now is, once told.
            let next = page.events.last?.id ?? min(cursor, page.lastId)
            status.withLock { $0.cursor = next }
            if page.events.isEmpty || next >= page.lastId { return delivered }
        }
        return delivered
    }
}
