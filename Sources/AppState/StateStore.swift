import Foundation
import Locking
import Polling
import ScanCore

/// The service's state, behind one seam: every change and every read of scans, delivery keys, events and watches
/// goes through a `StateStore`, whatever keeps it.
///
/// Two implementations: ``MemoryStateStore`` (the cache in memory, optionally journaled to `state.dir`) and the
/// PostgreSQL one, shared by every replica. The seam is shaped for the second: each write is one unit that happens
/// whole or not at all (a database transaction there), reads are asynchronous and may fail, and changes can be made
/// by another process — which is why the local fan-out (`events`, `waitForChange`) is fed by the store, not by the
/// caller that wrote.
///
/// Errors are the store's own (``StateError``): it knows nothing of HTTP. The app maps them to answers once.
public protocol StateStore: Sendable {
    // MARK: Writes

    /// A verified webhook delivery: claims its `key` and merges its `updates` (each change published as an event) as
    /// one unit, then runs `followUp` (re-fetches and watches the delivery asks for; what the store learned while
    /// committing, such as whether watches may follow the scans, passed to it). A key claimed within the dedupe
    /// window makes the delivery a duplicate: nothing is merged and `followUp` does not run. When the merge or
    /// `followUp` fails, the claim is given back, so the sender's retry is processed rather than taken for a
    /// duplicate; merging an update twice changes nothing.
    func acceptDelivery(
        key: String, updates: [ScanUpdate], now: Date,
        followUp: @Sendable (AcceptedDelivery) async throws(StateError) -> Void
    ) async throws(StateError) -> DeliveryOutcome

    /// A poll's result, merged by the same rule as a webhook's.
    func keepPollResult(_ update: ScanUpdate, now: Date) async throws(StateError) -> ApplyOutcome

    /// Throws while a change of `what` (a watch, its cancellation) cannot be recorded, before anything is changed.
    func ensureWritable(_ what: String) throws(StateError)

    /// A watch created, rescheduled or ended (the scheduler reports every change), with what its next poll needs.
    func watchChanged(_ state: WatchState)

    /// Returns once every change reported so far is recorded; throws when it cannot be.
    func waitUntilRecorded(_ what: String) async throws(StateError)

    // MARK: Reads

    /// One scan, without `raw` unless `includingRaw`.
    func scan(id: String, includingRaw: Bool) async throws(StateError) -> Scan?

    /// The scans of one image, newest first.
    func scans(imageId: String) async throws(StateError) -> [Scan]

    /// One page of `GET /v1/scans`, whoever answers.
    func list(_ query: ScanQuery) async throws(StateError) -> ScanPage

    /// Waits until the scan's revision differs from `revision`, `timeout` passes on `clock`, or `latch` (shutdown)
    /// fires (see ``ScanStore``).
    func waitForChange(
        id: String, from revision: UInt64, timeout: Duration, clock: any Clock<Duration>, endingOn latch: Latch?
    ) async -> WaitOutcome

    /// The local fan-out of change events, in id order: what `GET /v1/events` subscribes to and replays from.
    var events: EventLog { get }

    /// Scans cached in this process (`scanrelay_cached_scans`).
    var cachedScanCount: Int { get }

    /// Why the store cannot take changes now (the journal cannot write, the database cannot be reached), or nil
    /// when it can: `/readyz` answers 503 with it.
    var unavailability: String? { get }

    // MARK: Lifecycle

    /// What must hold before the service takes requests; throws only for what waiting cannot cure (a database
    /// schema newer than this binary knows). A store that cannot reach its database yet starts unready instead.
    func prepare() async throws

    /// Hands the watches kept from an earlier run to `scheduler`.
    func resumeWatches(into scheduler: WatchScheduler) async

    /// The store's background work (compactions, a change reader) until the calling task is cancelled.
    func run() async

    /// Writes what is queued and closes: every later change is refused.
    func close() async
}
