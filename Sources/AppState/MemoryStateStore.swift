import Foundation
import Locking
import Logging
import Polling
import ScanCore
import StateJournal
import Webhooks

/// The state in this process's memory: the scan cache, the delivery ledger and the event ring, with the `state.dir`
/// journal behind them when one is configured (``DurableState``).
///
/// A unit here is a claim in the ledger followed by merges into the cache; with a journal, each scan a delivery
/// brings is on disk before it is visible, and the key after it, so a delivery answered with an error leaves nothing
/// a restart would take back and its retry is processed.
public final class MemoryStateStore: StateStore {
    public let cache: ScanStore
    let ledger: DeliveryLedger
    /// The `state.dir` journal, or nil (memory only).
    public let journal: DurableState?

    public var events: EventLog { cache.events }
    public var cachedScanCount: Int { cache.count }

    public var unavailability: String? {
        guard let health = journal?.journal.health, health != .healthy else { return nil }
        return "the state journal \(health)"
    }

    /// A store in memory only.
    public init(cache: ScanStore, ledger: DeliveryLedger) {
        self.cache = cache
        self.ledger = ledger
        self.journal = nil
    }

    /// A store journaled to `directory`: the journal is replayed into `cache` and `ledger` now.
    public init(
        cache: ScanStore, ledger: DeliveryLedger, directory: String, options: JournalOptions, logger: Logger
    ) throws {
        self.cache = cache
        self.ledger = ledger
        self.journal = try DurableState(directory: directory, store: cache, ledger: ledger, logger: logger, options: options)
    }

    public func acceptDelivery(
        key: String, updates: [ScanUpdate], now: Date,
        followUp: @Sendable (AcceptedDelivery) async throws(StateError) -> Void
    ) async throws(StateError) -> DeliveryOutcome {
        // While the journal cannot write, nothing is claimed or applied: the sender retries later.
        try journal?.ensureRecording("the delivery")
        switch ledger.claim(key, now: now) {
        case .duplicate:
            // Acknowledged again only once what was journaled for it so far is on disk.
            try await journal?.waitUntilDurable(or: "the delivery")
            return .duplicate
        case .new:
            do throws(StateError) {
                var outcomes: [ApplyOutcome] = []
                for update in updates { outcomes.append(try await keepDurably(update, now: now)) }
                // The scheduler answers "may watches follow?" itself, from memory (`mayMatchWebhooks`).
                try await followUp(AcceptedDelivery(watchesMayFollow: true))
                if let journal {
                    guard let position = journal.deliveryAccepted(key: key, at: now) else {
                        throw .unavailable("the delivery could not be recorded in the state directory", retryAfterSeconds: 10)
                    }
                    try await journal.waitUntilDurable(position, or: "the delivery")
                }
                return .accepted(outcomes)
            } catch {
                ledger.release(key)
                throw error
            }
        }
    }

    public func keepPollResult(_ update: ScanUpdate, now: Date) async throws(StateError) -> ApplyOutcome {
        if let journal { return try journal.keepSubmitted(update, in: cache, now: now) }
        return try DurableState.settled(cache.apply(update, now: now))
    }

    /// A webhook's scan: with a journal, on disk before anyone can see it.
    private func keepDurably(_ update: ScanUpdate, now: Date) async throws(StateError) -> ApplyOutcome {
        if let journal { return try await journal.keepDurably(update, in: cache, now: now) }
        return try DurableState.settled(cache.apply(update, now: now))
    }

    public func ensureWritable(_ what: String) throws(StateError) {
        try journal?.ensureRecording(what)
    }

    public func watchChanged(_ state: WatchState) {
        journal?.watchChanged(state)
    }

    public func waitUntilRecorded(_ what: String) async throws(StateError) {
        try await journal?.waitUntilDurable(or: what)
    }

    public func scan(id: String, includingRaw: Bool) async throws(StateError) -> Scan? {
        cache.scan(id: id, includingRaw: includingRaw)
    }

    public func scans(imageId: String) async throws(StateError) -> [Scan] {
        cache.scans(imageId: imageId)
    }

    public func list(_ query: ScanQuery) async throws(StateError) -> ScanPage {
        do {
            return try cache.list(query)
        } catch {
            throw .invalidPageToken
        }
    }

    public func waitForChange(
        id: String, from revision: UInt64, timeout: Duration, clock: any Clock<Duration>, endingOn latch: Latch?
    ) async -> WaitOutcome {
        await cache.waitForChange(id: id, from: revision, timeout: timeout, clock: clock, endingOn: latch)
    }

    /// The journal was replayed when the store was made: nothing is left to prepare.
    public func prepare() async throws {}

    public func resumeWatches(into scheduler: WatchScheduler) async {
        await journal?.resumeWatches(into: scheduler)
    }

    public func run() async {
        await journal?.runCompactions()
    }

    public func close() async {
        await journal?.close()
    }
}
