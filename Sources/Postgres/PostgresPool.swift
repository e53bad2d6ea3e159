import DequeModule
import Locking

/// A few PostgreSQL connections, each owned by its own thread: async callers hand a blocking closure to
/// ``withConnection(_:)`` and await its result, so no libpq call ever runs on a Swift concurrency thread or an event
/// loop. Connections are made on first use and made again after one breaks; a caller waits at most
/// ``Configuration/acquireTimeout`` for a free one.
public final class PostgresPool: Sendable {
    public struct Configuration: Sendable {
        /// Connections (and threads); the database sees this many sessions per replica, plus the listener's.
        public var size: Int
        /// How long a caller waits for a free connection before ``PostgresError/Kind/poolTimeout``.
        public var acquireTimeout: Duration
        public var session: PostgresConnection.SessionOptions

        public init(size: Int = 4, acquireTimeout: Duration = .seconds(5), session: PostgresConnection.SessionOptions = .init()) {
            self.size = max(1, size)
            self.acquireTimeout = acquireTimeout
            self.session = session
        }
    }

    private struct Job: Sendable {
        let id: UInt64
        /// Monotonic ns after which nobody may take it.
        let deadline: UInt64
        /// Runs the caller's closure on a worker's connection and resumes the caller.
        let run: @Sendable (PostgresConnection) -> Void
        /// Resumes the caller with an error; the closure never runs.
        let fail: @Sendable (any Error) -> Void
    }

    private struct Queue {
        var pending = Deque<Job>()
        var nextId: UInt64 = 0
        var closed = false
        /// The reaper waits with no deadline (it saw no job waiting): the next job must wake it. Otherwise it sleeps
        /// until the first waiting job's deadline, which no later job can precede (every job gets the same timeout
        /// on the monotonic clock), so a job arriving then needs no wake-up — a thread switch saved per query.
        var reaperIdle = false

        mutating func remove(id: UInt64) -> Job? {
            guard let index = pending.firstIndex(where: { $0.id == id }) else { return nil }
            return pending.remove(at: index)
        }
    }

    // Condition 0: a job arrived or the pool closed (workers); condition 1: the same, for the reaper of expired jobs.
    private static let workAvailable = 0
    private static let reaperWake = 1

    public let configuration: Configuration
    private let settings: ConnectionSettings
    private let queue = ConditionLock(Queue(), conditions: 2)
    private let threads: Locked<[DedicatedThread]>

    public init(_ settings: ConnectionSettings, configuration: Configuration = Configuration()) {
        self.settings = settings
        self.configuration = configuration
        threads = Locked([])
        var started: [DedicatedThread] = []
        for _ in 0..<configuration.size {
            started.append(DedicatedThread.start { [self] in work() })
        }
        started.append(DedicatedThread.start { [self] in reap() })
        threads.withLock { $0 = started }
    }

    /// Runs `body` with a connection on one of the pool's threads. `body` blocks that thread, so keep it to database
    /// work. Throws what `body` throws, ``PostgresError/Kind/connectionFailed`` when no connection can be made,
    /// ``PostgresError/Kind/poolTimeout`` after waiting `acquireTimeout`, ``PostgresError/Kind/closed`` after
    /// ``close()``, and `CancellationError` when the task is cancelled before a connection was free.
    @discardableResult
    public func withConnection<Result: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> Result
    ) async throws -> Result {
        let deadline = monotonicNanoseconds() + configuration.acquireTimeout.nanoseconds
        let id = queue.withLock { queue in
            queue.nextId += 1
            return queue.nextId
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Result, any Error>) in
                let job = Job(
                    id: id, deadline: deadline,
                    run: { connection in continuation.resume(with: Swift.Result { try body(connection) }) },
                    fail: { continuation.resume(throwing: $0) }
                )
                let (refused, wakeReaper) = queue.withLock { queue -> (Bool, Bool) in
                    guard !queue.closed else { return (true, false) }
                    queue.pending.append(job)
                    defer { queue.reaperIdle = false }
                    return (false, queue.reaperIdle)
                }
                if refused {
                    job.fail(PostgresError(.closed, message: "the connection pool is closed"))
                    return
                }
                queue.signal(Self.workAvailable)
                if wakeReaper { queue.signal(Self.reaperWake) }
            }
        } onCancel: {
            queue.withLock { queue in queue.remove(id: id) }?.fail(CancellationError())
        }
    }

    /// Whether the database answers now (for readiness): a `SELECT 1` on a pooled connection, bounded by the pool's
    /// wait and the session's statement timeout. Throws the reason it does not.
    public func ping() async throws {
        try await withConnection { connection in try connection.execute("SELECT 1") }
    }

    /// Fails every waiting caller with ``PostgresError/Kind/closed``, lets the closures running finish, closes the
    /// connections and ends the threads. Idempotent. Blocks until the closures running have returned: from async
    /// code, call ``shutdown()``.
    public func close() {
        let abandoned = queue.withLock { queue -> [Job] in
            queue.closed = true
            var jobs: [Job] = []
            while let job = queue.pending.popFirst() { jobs.append(job) }
            return jobs
        }
        queue.broadcast(Self.workAvailable)
        queue.broadcast(Self.reaperWake)
        for job in abandoned { job.fail(PostgresError(.closed, message: "the connection pool is closed")) }
        for thread in threads.withLock({ threads in
            defer { threads = [] }
            return threads
        }) {
            thread.join()
        }
    }

    /// ``close()`` from async code: the threads are joined on a thread of their own, so no Swift concurrency thread
    /// waits for a query in flight to end.
    public func shutdown() async {
        await DedicatedThread.offload { [self] in close() }
    }

    /// One worker: takes jobs in arrival order, (re)connecting lazily.
    private func work() {
        var connection: PostgresConnection?
        while let job = nextJob() {
            if let current = connection, !current.isUsable {
                connection = nil
            }
            if connection == nil {
                do {
                    connection = try PostgresConnection(settings, session: configuration.session)
                } catch {
                    job.fail(error)
                    continue
                }
            }
            guard let current = connection else { continue }
            job.run(current)
            // A closure that left a transaction open (it should not) does not pass it on to the next caller.
            if current.isConnected, !current.isIdle { _ = try? current.execute("ROLLBACK") }
        }
    }

    /// The next job, or nil once the pool is closed.
    private func nextJob() -> Job? {
        queue.waitFor { queue in
            if queue.closed { return .done(nil) }
            if let job = queue.pending.popFirst() { return .done(job) }
            return .wait(Self.workAvailable)
        }
    }

    /// Fails the jobs nobody took before their deadline. Jobs arrive in deadline order, so only the first is looked at;
    /// while one waits the reaper sleeps until its deadline, woken by a new job only when it had none to wait for.
    private func reap() {
        while true {
            let expired: [Job]? = queue.waitFor { queue in
                if queue.closed { return .done(nil) }
                let now = monotonicNanoseconds()
                var expired: [Job] = []
                while let first = queue.pending.first, first.deadline <= now {
                    expired.append(queue.pending.removeFirst())
                }
                if !expired.isEmpty { return .done(expired) }
                if let first = queue.pending.first {
                    queue.reaperIdle = false
                    return .waitUntil(Self.reaperWake, deadline: first.deadline)
                }
                queue.reaperIdle = true
                return .wait(Self.reaperWake)
            }
            guard let expired else { return }
            for job in expired {
                job.fail(PostgresError(.poolTimeout, message: "no database connection became free within \(configuration.acquireTimeout)"))
            }
        }
    }
}
