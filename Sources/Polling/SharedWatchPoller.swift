import Foundation
import Logging
import Providers
import ScanCore

/// Polls watches kept in a store every replica shares: `WatchScheduler`'s job when several replicas run.
///
/// Nothing is scheduled in memory. Every `tick` (and whenever woken: a poll ended, a watch was created) the loop
/// leases, per source, as many due watches as that source has free slots, and polls each as a child task. While a
/// poll runs its lease is renewed every third of `leaseTTL`; a renewal refused (the lease was taken over) cancels
/// the poll. The scans found go to `sink` with the lease's fence, so the store keeps them only while the lease is
/// held; then ``PollTransition`` says what the watch becomes and `finish` writes it under the same fence. A replica
/// that dies mid-poll simply stops renewing: the lease lapses and another replica's next lease takes the watch.
///
/// Every time that decides anything — due, lease expiry — is the store's clock; this loop only counts its own
/// intervals (tick, renewal), never compares its clock with a lease.
public actor SharedWatchPoller<Store: LeasedWatchStore> {
    /// Keeps a polled scan: under the poll's fence, or with none for a hint's one-off poll (no watch follows it).
    public typealias Sink = @Sendable (ScanUpdate, Store.Fence?) async throws(ScanNotKept) -> Void

    public let policy: PollPolicy
    /// At least three upstream request timeouts, so a renewal can fail twice before the lease lapses.
    public let leaseTTL: Duration
    let transition: PollTransition
    let sources: [String: WatchScheduler.Source]
    let store: Store
    let tick: Duration
    let expiryInterval: Duration
    let jitter: @Sendable () -> Double
    let sink: Sink
    let onIndex: @Sendable (ImageIndex) -> Void
    let onExpired: @Sendable (Watch) async -> Void
    let onChange: @Sendable (Watch) -> Void
    let logger: Logger

    private nonisolated let waker = Waker()
    private var inFlight: [String: Int] = [:]
    /// Hints' polls of scans no watch follows, per source, waiting for a free slot.
    private var oneOffs: [String: [ScanRef]] = [:]
    /// Sources whose last lease failed (the store unreachable): logged once when it starts and once when it ends.
    private var failingLeases: Set<String> = []
    private var hasRun = false

    public init(
        policy: PollPolicy,
        sources: [String: WatchScheduler.Source],
        store: Store,
        leaseTTL: Duration? = nil,
        tick: Duration = .seconds(1),
        expiryInterval: Duration = .seconds(10),
        jitter: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) },
        sink: @escaping Sink,
        onIndex: @escaping @Sendable (ImageIndex) -> Void = { _ in },
        onExpired: @escaping @Sendable (Watch) async -> Void = { _ in },
        onChange: @escaping @Sendable (Watch) -> Void = { _ in },
        logger: Logger = Logger(label: "scanrelay.polling.shared")
    ) {
        self.policy = policy
        self.leaseTTL = max(leaseTTL ?? .zero, policy.requestTimeout * 3)
        self.transition = PollTransition(schedule: PollSchedule(policy: policy))
        self.sources = sources
        self.store = store
        self.tick = tick
        self.expiryInterval = expiryInterval
        self.jitter = jitter
        self.sink = sink
        self.onIndex = onIndex
        self.onExpired = onExpired
        self.onChange = onChange
        self.logger = logger
    }

    /// Refuses a watch this replica could not poll, as `WatchScheduler.add` does; the store creates the rest.
    public nonisolated func check(_ request: WatchRequest) throws(WatchError) {
        guard let source = sources[request.source] else { throw .unknownSource(request.source) }
        guard request.ref.provider == source.provider else { throw .refDoesNotFitProvider(source: request.source) }
    }

    /// Leases again now rather than at the next tick (a watch was created due, a hint asked for a poll).
    public nonisolated func wake() { waker.fire() }

    /// Polls until the calling task is cancelled, then returns once every poll it started has ended: a poll cancelled
    /// without a result gives its lease back, one whose result still came back is written. Runs once.
    public func run() async {
        guard !hasRun else { return }
        hasRun = true
        await withDiscardingTaskGroup { group in
            group.addTask { [waker, tick] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: tick)
                    waker.fire()
                }
            }
            var lastExpiry: ContinuousClock.Instant?
            while !Task.isCancelled {
                for source in sources.keys.sorted() {
                    for ref in takeOneOffs(source) {
                        group.addTask {
                            await self.pollOnce(ref, source: source)
                            await self.pollEnded(source)
                        }
                    }
                    for lease in await leaseFreeSlots(source) {
                        group.addTask {
                            await self.poll(lease, source: source)
                            await self.pollEnded(source)
                        }
                    }
                }
                if lastExpiry.map({ $0.duration(to: .now) >= expiryInterval }) ?? true {
                    lastExpiry = .now
                    await expire()
                }
                await waker.wait()
            }
        }
    }

    /// Polls the scan `ref` names now (a webhook hint: the authoritative state is one upstream call away), within
    /// the source's concurrency limit: the watches following it, on whichever replica, are made due now; with none,
    /// this replica polls once and hands the result to the sink without a fence. False when the source cannot be
    /// polled, the store could not be reached, or too many hints are waiting already.
    @discardableResult
    public func refetchNow(_ ref: ScanRef, source: String) async -> Bool {
        guard let polled = sources[source], polled.provider == ref.provider else { return false }
        do {
            if try await store.pollNow(ref, source: source) > 0 {
                waker.fire()
                return true
            }
        } catch {
            logger.warning("could not make watches due for a hint", metadata: ["source": "\(source)", "error": "\(error)"])
            return false
        }
        guard oneOffs[source, default: []].count < WatchScheduler.maxOneOffJobs else { return false }
        oneOffs[source, default: []].append(ref)
        waker.fire()
        return true
    }

    /// The waiting hints `source` has free slots for, their slots counted taken.
    private func takeOneOffs(_ source: String) -> [ScanRef] {
        let free = policy.concurrencyPerSource - inFlight[source, default: 0]
        guard free > 0, let waiting = oneOffs[source], !waiting.isEmpty else { return [] }
        let taken = Array(waiting.prefix(free))
        oneOffs[source] = Array(waiting.dropFirst(taken.count))
        inFlight[source, default: 0] += taken.count
        return taken
    }

    private func pollOnce(_ ref: ScanRef, source: String) async {
        guard let client = sources[source]?.client,
              case .success(let found) = await WatchScheduler.poll(client, ref, Date())
        else { return }
        do throws(ScanNotKept) {
            try await keep(found, nil)
        } catch {
            // A hint, not a watch: nothing follows up. The scan's next webhook or watch brings it again.
            logger.warning("hint poll result not cached", metadata: ["ref": "\(ref.fields)", "reason": "\(error.reason)"])
        }
    }

    /// Leases what `source` has free slots for, and counts those slots taken.
    private func leaseFreeSlots(_ source: String) async -> [LeasedWatchState<Store.Fence>] {
        let free = policy.concurrencyPerSource - inFlight[source, default: 0]
        guard free > 0 else { return [] }
        do {
            let leased = try await store.leaseDue(source: source, limit: free, ttl: leaseTTL)
            inFlight[source, default: 0] += leased.count
            if failingLeases.remove(source) != nil { logger.info("leasing due watches again", metadata: ["source": "\(source)"]) }
            return leased
        } catch {
            if failingLeases.insert(source).inserted {
                logger.warning("could not lease due watches", metadata: ["source": "\(source)", "error": "\(error)"])
            }
            return []
        }
    }

    /// Polls this replica has leased and not yet finished.
    public var pollsInFlight: Int { inFlight.values.reduce(0, +) }

    private func pollEnded(_ source: String) {
        inFlight[source, default: 1] -= 1
        waker.fire()
    }

    private func expire() async {
        do {
            for watch in try await store.expireDue(limit: 1000) {
                logger.info("watch expired", metadata: ["watch": "\(watch.id)", "source": "\(watch.source)"])
                await onExpired(watch)
            }
        } catch {
            logger.warning("could not expire watches", metadata: ["error": "\(error)"])
        }
    }

    /// One leased poll, from the upstream call to the write of its outcome.
    private func poll(_ lease: LeasedWatchState<Store.Fence>, source: String) async {
        guard let client = sources[source]?.client else { return }
        let state = lease.state, fence = lease.fence
        let polling = Task { await WatchScheduler.poll(client, state.pollRef, state.watch.scanStartedAt) }
        let renewing = Task { [store, leaseTTL, logger] () -> Bool in
            while true {
                do { try await Task.sleep(for: leaseTTL / 3) } catch { return true }
                do {
                    if try await store.renew(fence, ttl: leaseTTL) { continue }
                    polling.cancel()
                    return false
                } catch {
                    // The poll ended while renewing: the result decides now.
                    if Task.isCancelled { return true }
                    // The store is unreachable: the lease may lapse, and then `finish` is refused.
                    logger.warning("could not renew a watch's lease", metadata: ["watch": "\(state.watch.id)", "error": "\(error)"])
                }
            }
        }
        let result = await withTaskCancellationHandler { await polling.value } onCancel: { polling.cancel() }
        renewing.cancel()
        guard await renewing.value else {
            logger.info("lease lost mid-poll, result dropped", metadata: ["watch": "\(state.watch.id)"])
            return
        }
        if case .failure = result, Task.isCancelled {
            // Stopped mid-poll (shutdown): not the upstream's failure. Another replica polls it at once.
            do { try await store.release(fence) } catch {
                logger.warning("could not release a watch's lease", metadata: ["watch": "\(state.watch.id)", "error": "\(error)"])
            }
            return
        }
        var notKept: ScanNotKept?
        if case .success(let found) = result {
            do throws(ScanNotKept) { try await keep(found, fence) } catch { notKept = error }
        }
        let step = transition.after(state, result: result, notKept: notKept, jitter: jitter)
        if let failure = step.failure {
            logger.debug("poll failed", metadata: ["watch": "\(state.watch.id)", "source": "\(source)", "error": "\(failure)"])
        }
        do {
            guard let watch = try await store.finish(fence, step) else {
                logger.info("lease lost before the poll's outcome was written, dropped", metadata: ["watch": "\(state.watch.id)"])
                return
            }
            onChange(watch)
        } catch {
            // Not written: the lease lapses and the watch is polled again.
            logger.warning("could not write a poll's outcome", metadata: ["watch": "\(state.watch.id)", "error": "\(error)"])
        }
    }

    /// Hands every scan the poll found to the sink under the poll's fence; throws at the first not kept.
    private func keep(_ found: PollResult, _ fence: Store.Fence?) async throws(ScanNotKept) {
        switch found {
        case .scan(let update, _):
            try await sink(update, fence)
        case .scans(let scans, _):
            if let index = scans.index { onIndex(index) }
            for update in scans.updates { try await sink(update, fence) }
        case .noScanYet:
            break
        }
    }
}
