import DequeModule
import Foundation
import Logging
import Providers
import ScanCore
import Synchronization

/// Holds the watches and polls their upstreams on schedule.
///
/// Built to hold tens of thousands of watches cheaply: due times sit in one binary heap (`DueQueue`) and a single
/// timer task sleeps until the earliest of them — woken early when a sooner one is added — instead of a task
/// sleeping per watch. Due watches wait in a per-source FIFO, and at most `concurrencyPerSource` polls of one
/// source are in flight at any moment; a finished poll starts the next one waiting.
///
/// `run()` owns every task the scheduler starts: the timer and each poll are its child tasks, so when it returns
/// (cancelled, as the app's graceful shutdown does) no poll is left to hand a result to `sink` afterwards.
///
/// Every poll result goes through `sink` (the app passes the scan store's merge, the same one webhooks use), which
/// throws when it cannot keep the scan; every change of a watch is reported to `onChange` (metrics, journal, tests).
public actor WatchScheduler {
    /// A source that can be polled: its provider (to check refs) and its client.
    public struct Source: Sendable {
        public var provider: Provider
        public var client: any UpstreamClient
        public init(provider: Provider, client: any UpstreamClient) {
            self.provider = provider
            self.client = client
        }
    }

    /// A watch with the scheduler's private bookkeeping.
    struct Record {
        var watch: Watch
        /// The ref polled: the watch's own, until a poll resolves it to one scan.
        var pollRef: ScanRef
        var consecutiveErrors = 0
        /// Matches the record's live heap entry; older entries are stale.
        var generation: UInt64 = 0
        var inFlight = false
        var queued = false
        var endedAt: Date?

        /// What a restart needs to continue the watch where it stands (see ``WatchState``).
        var saved: WatchState { WatchState(watch: watch, pollRef: pollRef, consecutiveErrors: consecutiveErrors) }
    }

    /// Polls waiting for a free slot of their source.
    enum Job {
        case watch(String)
        /// A webhook hint for a scan no watch follows: polled once, the result cached.
        case oneOff(ScanRef)
    }

    /// Bounds the one-off hint polls waiting per source, so a flood of hints cannot grow memory.
    static let maxOneOffJobs = 1000

    let policy: PollPolicy
    let schedule: PollSchedule
    let transition: PollTransition
    let sources: [String: Source]
    let clock: any PollClock
    let jitter: @Sendable () -> Double
    /// Caches a polled scan; throws when it cannot (a full cache, a failed journal write), so a watch polls again.
    let sink: @Sendable (ScanUpdate) async throws(ScanNotKept) -> Void
    /// Learns a multi-arch index's children from a poll of the index (the app keeps them for image queries).
    let onIndex: @Sendable (ImageIndex) -> Void
    let onExpired: @Sendable (Watch) async -> Void
    let onChange: @Sendable (WatchState) -> Void
    let logger: Logger

    var records: [String: Record] = [:] {
        didSet { recordCount.store(records.count, ordering: .releasing) }
    }
    /// `records.count`, readable without hopping onto the actor (see ``mayMatchWebhooks``).
    nonisolated let recordCount = Atomic<Int>(0)
    var dueQueue = DueQueue()
    var endedWatches = EndedWatchQueue()
    var nextGeneration: UInt64 = 0
    /// Due polls per source, in order; a webhook hint goes to the front.
    var jobs: [String: Deque<Job>] = [:]
    var inFlight: [String: Int] = [:]
    /// Polls and expiry notices the actor starts, run by `run()` as its child tasks (buffered until it runs).
    nonisolated let work: AsyncStream<@Sendable () async -> Void>
    private nonisolated let workSink: AsyncStream<@Sendable () async -> Void>.Continuation
    /// Whether `run()` has begun, and whether it has been stopped: then no new poll starts.
    private var hasRun = false
    var stopped = false
    /// The poll in flight of each watch, by watch id, so deleting the watch cancels just that poll.
    var pollTasks: [String: Task<Void, Never>] = [:]
    private var sleeper: Task<Void, any Error>?
    private var sleepingUntil: Date?

    public init(
        policy: PollPolicy,
        sources: [String: Source],
        clock: any PollClock = SystemPollClock(),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sink: @escaping @Sendable (ScanUpdate) async throws(ScanNotKept) -> Void,
        onIndex: @escaping @Sendable (ImageIndex) -> Void = { _ in },
        onExpired: @escaping @Sendable (Watch) async -> Void = { _ in },
        onChange: @escaping @Sendable (WatchState) -> Void = { _ in },
        logger: Logger = Logger(label: "scanrelay.polling")
    ) {
        self.policy = policy
        self.schedule = PollSchedule(policy: policy)
        self.transition = PollTransition(schedule: schedule)
        self.sources = sources
        self.clock = clock
        self.jitter = jitter
        self.sink = sink
        self.onIndex = onIndex
        self.onExpired = onExpired
        self.onChange = onChange
        self.logger = logger
        (work, workSink) = AsyncStream.makeStream()
    }

    /// Polls on schedule until the calling task is cancelled, then returns once every poll it started has ended
    /// (each one cancelled; a result that still comes back is kept, a failure caused by the cancellation is not
    /// counted against the watch). Watches may be added before; none is polled until then. Runs once.
    public func run() async {
        guard !hasRun else { return }
        hasRun = true
        await withDiscardingTaskGroup { group in
            group.addTask { await self.runTimer() }
            // Ends when this task is cancelled; the group then waits for its (also cancelled) children.
            for await job in work {
                group.addTask { await job() }
            }
            stopped = true
            sleeper?.cancel()
        }
        workSink.finish()
    }

    /// Hands `job` to `run()`, which runs it as a child task.
    func spawn(_ job: @escaping @Sendable () async -> Void) {
        workSink.yield(job)
    }

    /// Creates a watch and schedules its first poll.
    public func add(_ request: WatchRequest) throws(WatchError) -> Watch {
        guard let source = sources[request.source] else { throw .unknownSource(request.source) }
        guard request.ref.provider == source.provider else { throw .refDoesNotFitProvider(source: request.source) }
        try makeRoom()
        let now = clock.now
        let startedAt = request.scanStartedAt ?? now
        let firstPoll = schedule.firstPoll(
            scanStartedAt: startedAt, imageSizeBytes: request.imageSizeBytes, expectWebhook: request.expectWebhook)
        let watch = Watch(
            id: Self.makeID(), source: request.source, ref: request.ref, imageSizeBytes: request.imageSizeBytes,
            expectWebhook: request.expectWebhook, scanStartedAt: startedAt, createdAt: now, nextPollAt: firstPoll)
        records[watch.id] = Record(watch: watch, pollRef: request.ref)
        scheduleNext(watch.id, at: firstPoll)
        let saved = records[watch.id]?.saved ?? WatchState(watch: watch)
        onChange(saved)
        return saved.watch
    }

    public func watch(id: String) -> Watch? { records[id]?.watch }


    /// Stops a watch (`DELETE`): its poll in flight is cancelled (the upstream request closed), no further poll
    /// starts; it stays readable until it ages out.
    @discardableResult
    public func cancel(id: String) -> Watch? {
        guard let record = records[id] else { return nil }
        guard record.watch.state.isActive else { return record.watch }
        let watch = end(id, as: .cancelled)
        pollTasks.removeValue(forKey: id)?.cancel()
        return watch
    }

    /// The number of watches in each state, for the `scanrelay_watches{state}` gauge.
    public func countsByState() -> [Watch.State: Int] {
        records.values.reduce(into: [:]) { $0[$1.watch.state, default: 0] += 1 }
    }

    // MARK: Lifecycle of a record

    /// Moves a watch to an ended state, and schedules its aging out.
    @discardableResult
    func end(_ id: String, as state: Watch.State, scanId: String? = nil) -> Watch? {
        guard var record = records[id] else { return nil }
        let now = clock.now
        record.watch.state = state
        record.watch.nextPollAt = nil
        if let scanId { record.watch.scanId = scanId }
        records[id] = record
        markEnded(id, at: now)
        scheduleNext(id, at: schedule.ageOut(endedAt: now))
        onChange(records[id]?.saved ?? record.saved)
        return record.watch
    }

    /// Queues the record's next wake-up (a poll, its expiry, or its aging out), never past its expiry while active.
    func scheduleNext(_ id: String, at due: Date) {
        guard var record = records[id] else { return }
        nextGeneration += 1
        record.generation = nextGeneration
        var due = due
        if record.watch.state.isActive {
            due = min(due, schedule.expiry(createdAt: record.watch.createdAt))
            record.watch.nextPollAt = due
        }
        records[id] = record
        dueQueue.insert(.init(due: due, watchID: id, generation: nextGeneration))
        if let sleepingUntil, due < sleepingUntil { sleeper?.cancel() }
    }

    /// Refuses a new watch at `maxWatches`, after dropping the longest-ended watch if there is one.
    func makeRoom() throws(WatchError) {
        guard records.count >= policy.maxWatches else { return }
        guard let oldest = endedWatches.popOldest(isCurrent: isEnded) else { throw .tooManyWatches(limit: policy.maxWatches) }
        records[oldest] = nil
    }

    /// Records that the held watch `id` ended at `date`: it ages out from then, or sooner makes room for a new one.
    func markEnded(_ id: String, at date: Date) {
        records[id]?.endedAt = date
        endedWatches.append(id, endedAt: date, heldWatches: records.count, isCurrent: isEnded)
    }

    /// Whether watch `id` is held and ended at `date` (not since forgotten, or ended again later).
    private func isEnded(_ id: String, at date: Date) -> Bool { records[id]?.endedAt == date }

    private static func makeID() -> String {
        "w_" + UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    // MARK: The timer

    private func runTimer() async {
        while !Task.isCancelled {
            fireDue()
            // With nothing queued the timer still wakes hourly; an added watch wakes it at once anyway.
            let until = dueQueue.earliest?.due ?? clock.now + .seconds(3600)
            let nap = Task { [clock] in try await clock.sleep(until: until) }
            sleeper = nap
            sleepingUntil = until
            await withTaskCancellationHandler {
                _ = try? await nap.value
            } onCancel: {
                nap.cancel()
            }
            sleeper = nil
            sleepingUntil = nil
        }
    }

    /// Handles every heap entry that is due: expires, ages out, or queues the watch for polling.
    private func fireDue() {
        let now = clock.now
        var touched: Set<String> = []
        while let entry = dueQueue.popDue(at: now) {
            guard var record = records[entry.watchID], record.generation == entry.generation else { continue }
            if !record.watch.state.isActive {
                records[entry.watchID] = nil
            } else if now >= schedule.expiry(createdAt: record.watch.createdAt) {
                expire(entry.watchID)
            } else {
                record.watch.nextPollAt = nil
                records[entry.watchID] = record
                enqueue(.watch(entry.watchID), source: record.watch.source, first: false)
                touched.insert(record.watch.source)
            }
        }
        for source in touched { pump(source) }
    }

    private func expire(_ id: String) {
        guard let watch = end(id, as: .expired) else { return }
        logger.info("watch expired", metadata: ["watch": "\(id)", "source": "\(watch.source)"])
        spawn { [onExpired] in await onExpired(watch) }
    }
}
