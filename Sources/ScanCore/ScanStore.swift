import Foundation
import Locking
import ShardedTables

/// The in-memory cache of normalized scans: merges updates, serves lookups and pages to concurrent readers,
/// bounds its size, wakes long-polls and publishes change events.
///
/// One mutex guards all indexes; every operation inside it is short (a dictionary access, a binary search, or a
/// walk that stops after one page), so readers on many threads do not queue behind each other for long.
public final class ScanStore: Sendable {
    public struct Configuration: Sendable, Hashable {
        /// `cache.maxScans`.
        public var maxScans: Int
        /// Concurrent `?wait=` long-polls at most.
        public var maxWaiters: Int
        /// Cached scans one `list` call examines at most. A selective filter over a large cache would otherwise
        /// walk (and hold the lock over) all of it; past the budget the page is cut short, with a token to go on.
        public var listWalkBudget: Int
        /// `cache.staleAfter`: an in-progress scan unchanged this long is taken as abandoned — its watch deleted or
        /// expired, its completion webhook lost — and may be evicted once no terminal scan is left to make room.
        /// Without it, such scans would pile up until every new scan is refused.
        public var staleAfter: Duration

        /// The defaults, written once: the app's configuration (`cache.*`) starts from these too.
        public static let defaultMaxScans = 100_000
        public static let defaultMaxWaiters = 1_000
        public static let defaultStaleAfter = Duration.seconds(24 * 3600)

        public init(
            maxScans: Int = defaultMaxScans, maxWaiters: Int = defaultMaxWaiters, listWalkBudget: Int = 50_000,
            staleAfter: Duration = defaultStaleAfter
        ) {
            self.maxScans = max(1, maxScans)
            self.maxWaiters = max(0, maxWaiters)
            self.listWalkBudget = max(1, listWalkBudget)
            self.staleAfter = max(.zero, staleAfter)
        }
    }

    struct State {
        // Sharded, so that growing never rehashes every scan at once under the lock (see ShardedSet).
        var records = ShardedSet<RecordKey>()
        var order = ScanListOrder()
        var byImage = ShardedDictionary<String, [ScanRecord]>()
        var terminal = EvictionQueue(.terminal)
        var inProgress = EvictionQueue(.inProgress)

        func record(_ id: String) -> ScanRecord? {
            records.member(equalTo: RecordKey(probe: id))?.record
        }

        /// Queues `record` for eviction in its kind's order after it was created or changed.
        mutating func noteChange(_ record: ScanRecord) {
            terminal.noteChange(record, liveRecords: records.count)
            inProgress.noteChange(record, liveRecords: records.count)
        }
    }

    public let configuration: Configuration
    /// Where changes are published as `scan.updated` / `scan.completed`.
    public let events: EventLog
    let state = Locked(State())
    /// Long-polls, by scan id, at most `maxWaiters`. Woken after `state`'s lock is released (see ``Waiters``).
    let waiters: Waiters<String>

    public init(configuration: Configuration = Configuration(), events: EventLog = EventLog()) {
        self.configuration = configuration
        self.events = events
        waiters = Waiters(capacity: configuration.maxWaiters)
    }

    /// Cached scans (`scanrelay_cached_scans`).
    public var count: Int { state.withLock { $0.records.count } }

    /// The scan, rebuilt from its packed form outside the lock; without `raw` when `includingRaw` is false (it is
    /// a copy, and only `?view=full` shows it).
    public func scan(id: String, includingRaw: Bool = true) -> Scan? {
        state.withLock { $0.record(id)?.packed }?.scan(includingRaw: includingRaw)
    }

    /// The scans of one image, newest `createdAt` first.
    public func scans(imageId: String, includingRaw: Bool = false) -> [Scan] {
        state.withLock { state in
            (state.byImage[imageId] ?? []).sortedNewestFirst().compactMap(\.packed)
        }.map { $0.scan(includingRaw: includingRaw) }
    }

    /// Merges `update` into the cache (see ``ScanMerge``). A change is published as `scan.completed` when it makes
    /// the scan terminal, else as `scan.updated`; waiters on the scan wake.
    public func apply(_ update: ScanUpdate, now: Date = Date()) -> ApplyOutcome {
        apply(update, now: now, admittedIf: { _ in true }) ?? .refused
    }

    /// `apply`, but a change (`created` or `changed`) is made only if `admit`, called under the store's lock with
    /// that outcome, returns true; nil otherwise, with nothing changed, published or woken. `unchanged` and `refused`
    /// are returned as they are, without asking.
    ///
    /// For an owner that must record a change durably before anyone may see it: it previews the change with an
    /// `admit` that keeps the outcome and says no, records it, then applies again with the same `now`, admitting
    /// only that same outcome — if the scan changed in between, the outcome differs and nothing is made visible
    /// that was not recorded.
    public func apply(_ update: ScanUpdate, now: Date, admittedIf admit: (ApplyOutcome) -> Bool) -> ApplyOutcome? {
        let (outcome, evicted) = state.withLock { state -> (ApplyOutcome?, String?) in
            let outcome: ApplyOutcome
            var evicted: String?
            if let record = state.record(update.scanId), let current = record.packed?.scan() {
                guard let next = ScanMerge.merge(update, into: current, now: now) else { return (.unchanged(current), nil) }
                outcome = .changed(old: current, new: next)
                guard admit(outcome) else { return (nil, nil) }
                record.update(PackedScan(next))
                reindex(record, from: current, to: next, in: &state)
            } else {
                let full = state.records.count >= configuration.maxScans
                if full, !canEvict(in: &state, now: now) { return (.refused, nil) }
                let scan = ScanMerge.makeScan(update, now: now)
                outcome = .created(scan)
                guard admit(outcome) else { return (nil, nil) }
                if full { evicted = evictOne(in: &state, now: now) }
                let record = ScanRecord(PackedScan(scan))
                state.records.insert(RecordKey(record))
                state.order.insert(record)
                state.byImage.append(record, to: scan.subject.imageId)
                state.noteChange(record)
            }
            publish(outcome)
            return (outcome, evicted)
        }
        // Outside the lock (the waiters' lock is taken first when a long-poll checks the store).
        if let evicted { waiters.wake(evicted) }
        switch outcome {
        case .created?, .changed?: waiters.wake(update.scanId)
        default: break
        }
        return outcome
    }

    /// Whether `evictOne` would find a scan to drop.
    func canEvict(in state: inout State, now: Date) -> Bool {
        state.terminal.hasOldest() || state.inProgress.hasOldest(changedAtOrBefore: now - configuration.staleAfter)
    }

    /// Keeps the indexes in step after `record` changed from `old`.
    func reindex(_ record: ScanRecord, from old: Scan, to new: Scan, in state: inout State) {
        if new.createdAt != old.createdAt {
            state.order.insert(record)
            state.order.noteStale()
        }
        if new.subject.imageId != old.subject.imageId {
            state.byImage.remove(record, from: old.subject.imageId)
            state.byImage.append(record, to: new.subject.imageId)
        }
        state.noteChange(record)
    }

    /// Drops the terminal scan that changed longest ago or, when none is left, the in-progress scan unchanged
    /// longest if it is stale (see ``Configuration/staleAfter``); returns its id, whose long-polls the caller wakes
    /// once it has released the lock, or nil when every cached scan is in progress and fresh.
    func evictOne(in state: inout State, now: Date) -> String? {
        let staleCutoff = now - configuration.staleAfter
        guard let record = state.terminal.popOldest() ?? state.inProgress.popOldest(changedAtOrBefore: staleCutoff),
            let packed = record.packed
        else { return nil }
        state.records.remove(RecordKey(record))
        record.evict()
        state.byImage.remove(record, from: packed.imageId)
        state.order.noteStale()
        return record.id
    }

    private func publish(_ outcome: ApplyOutcome) {
        guard let change = ScanChangeEvent(outcome) else { return }
        events.publish(type: change.type, payload: change.payload)
    }
}

extension ShardedDictionary<String, [ScanRecord]> {
    mutating func append(_ record: ScanRecord, to imageId: String) {
        update(imageId, default: []) { $0.append(record) }
    }

    mutating func remove(_ record: ScanRecord, from imageId: String) {
        guard var records = self[imageId] else { return }
        records.removeAll { $0 === record }
        self[imageId] = records.isEmpty ? nil : records
    }
}
