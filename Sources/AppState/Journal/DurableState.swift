import Foundation
import Logging
import Polling
import ScanCore
import StateJournal
import Locking
import Webhooks

/// `state.dir`: journals every change of the scan cache, the delivery ledger and the watches, and brings them
/// back at start.
///
/// A scan a webhook delivers is recorded *before* it is applied (see `keepDurably`): a delivery answered 503
/// leaves nothing in memory that a restart would take back. Other changes (poll results, watches, delivery keys)
/// are applied and submitted together, without waiting; a request that must not be answered 2xx before its effect
/// is durable (a delivery key, a watch created or cancelled) then waits for the journal, and answers 503 if that
/// fails. While the journal cannot write, every change is refused up front (see `ensureRecording`); once it writes
/// again it says so, and a snapshot makes durable whatever was kept in memory from the batches it lost.
public final class DurableState: Sendable {
    public let journal: StateJournal
    /// Scans recorded but not yet applied, which a snapshot waits for.
    let pending = PendingChanges()
    private let store: ScanStore
    private let ledger: DeliveryLedger
    let logger: Logger
    /// Set once the scheduler exists (it is built with this object's hooks); snapshots read its watches.
    private let scheduler = Locked<WatchScheduler?>(nil)
    /// Watches read back at start, handed to the scheduler by `resumeWatches`.
    private let replayedWatches: Locked<[WatchState]>
    /// Compactions asked for (one pending at most), run one at a time by `runCompactions`.
    private let compactionRequests: AsyncStream<Void>
    private let compactionSink: AsyncStream<Void>.Continuation

    /// Opens the journal in `directory` and replays it into `store` and `ledger`; the watches wait for
    /// `resumeWatches`. Damaged records are dropped with a warning; only an unusable directory throws.
    init(
        directory: String, store: ScanStore, ledger: DeliveryLedger, logger: Logger,
        options: JournalOptions = JournalOptions()
    ) throws {
        var scans: [String: Scan] = [:]
        var watches: [String: WatchState] = [:]
        var deliveries = 0
        var undecodable = 0
        journal = try StateJournal(directory: directory, options: options, warn: { logger.warning("\($0)") }) { record in
            do {
                switch try DurableRecord(record) {
                case .scan(let scan):
                    if let known = scans[scan.id], known.revision > scan.revision { return }
                    scans[scan.id] = scan
                case .delivery(let key, let claimedAt):
                    _ = ledger.claim(key, now: claimedAt)
                    deliveries += 1
                case .watch(let state):
                    watches[state.watch.id] = state
                }
            } catch {
                undecodable += 1
            }
        }
        if undecodable > 0 {
            logger.warning("state journal: skipped \(undecodable) records that do not decode")
        }
        store.restore(scans.values.sorted { $0.updatedAt > $1.updatedAt })
        replayedWatches = Locked(Array(watches.values))
        self.store = store
        self.ledger = ledger
        self.logger = logger
        (compactionRequests, compactionSink) = AsyncStream.makeStream(bufferingPolicy: .bufferingNewest(1))
        journal.onRecovery { [weak self] in
            guard let self else { return }
            self.logger.warning("state journal: writes succeed again; writing a snapshot of the state in memory")
            self.requestCompaction()
        }
        let damaged = journal.statistics.damagedFilesSetAside
        if damaged > 0 {
            let note = "damage set aside in \(damaged) file(s) named *.damaged-* in \(directory); "
                + "the records before it were restored"
            logger.warning("state journal: \(note)")
        }
        logger.info(
            "state journal replayed",
            metadata: [
                "dir": "\(directory)", "scans": "\(scans.count)", "watches": "\(watches.count)",
                "deliveries": "\(deliveries)",
            ])
    }

    /// Hands the replayed watches to `scheduler`, which polls the active ones again.
    func resumeWatches(into scheduler: WatchScheduler) async {
        self.scheduler.withLock { $0 = scheduler }
        let watches = replayedWatches.withLock { watches in
            defer { watches = [] }
            return watches
        }
        await scheduler.restore(watches)
    }

    func watchChanged(_ state: WatchState) {
        submit(.watch(state))
    }

    /// Journal settings for a service accepting bodies of up to `maxBodyBytes`: a scan record carries its raw
    /// upstream JSON (base64, a third larger) besides the scan, so records must fit twice the body with room to spare.
    public static func journalOptions(maxBodyBytes: Int) -> JournalOptions {
        JournalOptions(maxRecordBytes: max(16 << 20, 2 * maxBodyBytes + (1 << 20)))
    }

    /// Submits a delivery key; nil if the journal refused it.
    func deliveryAccepted(key: String, at time: Date) -> JournalPosition? {
        submit(.delivery(key: key, claimedAt: time))
    }

    /// Returns once every change submitted so far is on disk; throws if the journal cannot make it so.
    func waitUntilDurable() async throws {
        try await journal.waitUntilDurable()
    }

    /// Throws the 503 a change gets while the journal cannot write, before anything is applied.
    func ensureRecording(_ what: String) throws(StateError) {
        guard journal.health == .healthy else {
            throw .unavailable("\(what) cannot be recorded in the state directory now", retryAfterSeconds: 10)
        }
    }

    /// Asks `runCompactions` for a snapshot; asking again before it has begun asks once.
    func requestCompaction() {
        compactionSink.yield()
    }

    /// Runs the compactions asked for, one at a time, until the calling task is cancelled (the app's `StateService`, through `MemoryStateStore.run()`).
    func runCompactions() async {
        for await _ in compactionRequests {
            await compact()
        }
    }

    /// Writes what is queued and closes the journal: every later submission is refused.
    func close() async {
        compactionSink.finish()
        await journal.close()
        // The scheduler reports watch changes to this object (`watchChanged`) and this object snapshots the
        // scheduler's watches: a reference cycle that outlived every stopped application until it is cut here.
        scheduler.withLock { $0 = nil }
    }

    @discardableResult
    func submit(_ record: DurableRecord) -> JournalPosition? {
        do {
            return try submit(encoded: record.encoded())
        } catch {
            // The request waiting on it answers 503; a poll result is fetched again by the resumed watch.
            logger.error("state journal: change not recorded", metadata: ["reason": "\(error)"])
            return nil
        }
    }

    func submit(encoded record: JournalRecord) throws -> JournalPosition {
        let position = try journal.submit([record])
        if journal.isCompactionDue { requestCompaction() }
        return position
    }

    /// Replaces the journal with a snapshot of the cache, the ledger and the watches (`submit` calls it when due).
    func compact() async {
        let store = store, ledger = ledger
        // Until the replayed watches are back in the scheduler, a snapshot would leave them out.
        guard let scheduler = scheduler.withLock({ $0 }) else { return }
        do {
            try await journal.compact { [pending] in
                // Scans already recorded in the segments being replaced must be in memory before it is read.
                await pending.drain()
                let watches = await scheduler.allWatches()
                var records = try store.allScans().map { try DurableRecord.scan($0).encoded() }
                records += try ledger.claims().map { try DurableRecord.delivery(key: $0.key, claimedAt: $0.claimedAt).encoded() }
                records += try watches.map { try DurableRecord.watch($0).encoded() }
                return records
            }
        } catch {
            logger.error("state journal: compaction failed", metadata: ["reason": "\(error)"])
        }
    }
}

extension DurableState {
    /// `waitUntilDurable()` for a request handler: a failure becomes the 503 that tells the client to retry.
    /// With `position`, waits for that submission (a later write failing does not undo it); without, for
    /// everything submitted so far.
    func waitUntilDurable(_ position: JournalPosition? = nil, or what: String) async throws(StateError) {
        do {
            try await journal.waitUntilDurable(position)
        } catch {
            logger.error("state journal: \(what) is not durable", metadata: ["reason": "\(error)"])
            throw .unavailable("\(what) could not be recorded in the state directory", retryAfterSeconds: 10)
        }
    }
}
