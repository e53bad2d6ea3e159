import Polling
import Providers
import ScanCore

/// Watches as the API and webhook ingest see them, whatever keeps and polls them: this process's scheduler (memory
/// only, or `state.dir`) or the watches table every replica shares (`state.postgres`), polled under leases.
protocol WatchDirectory: Sendable {
    /// Creates a watch; throws `WatchError` for a request this service cannot poll, `StateError` when it cannot be
    /// stored now.
    func add(_ request: WatchRequest) async throws -> Watch
    func watch(id: String) async throws -> Watch?
    /// Ends an active watch as cancelled (a poll in flight for it is stopped or its result refused); nil for no watch.
    func cancel(id: String) async throws -> Watch?
    /// A page newest first; nil for a page token this service did not issue.
    func list(state: Watch.State?, limit: Int, pageToken: String?) async throws -> WatchPage?
    /// Watches by state, for `scanrelay_watches`.
    func countsByState() async -> [Watch.State: Int]
    /// False when no watch could follow a scan, so a webhook may skip `matchWebhook`.
    var mayMatchWebhooks: Bool { get }
    /// Ends the watches following the scan a webhook completed.
    func matchWebhook(_ update: ScanUpdate) async throws
    /// A poll of `ref` as soon as a slot is free (a webhook's hint); false when too many are waiting.
    func refetchNow(_ ref: ScanRef, source: String) async -> Bool
    /// Polls until the calling task is cancelled; returns once every poll it started has ended.
    func run() async
}

/// The watches of this process alone: its scheduler (memory only, or journaled to `state.dir`).
struct LocalWatches: WatchDirectory {
    let scheduler: WatchScheduler

    func add(_ request: WatchRequest) async throws -> Watch { try await scheduler.add(request) }
    func watch(id: String) async throws -> Watch? { await scheduler.watch(id: id) }
    func cancel(id: String) async throws -> Watch? { await scheduler.cancel(id: id) }

    func list(state: Watch.State?, limit: Int, pageToken: String?) async throws -> WatchPage? {
        await scheduler.list(state: state, limit: limit, pageToken: pageToken)
    }

    func countsByState() async -> [Watch.State: Int] { await scheduler.countsByState() }
    var mayMatchWebhooks: Bool { scheduler.mayMatchWebhooks }
    func matchWebhook(_ update: ScanUpdate) async throws { _ = await scheduler.matchWebhook(update) }
    func refetchNow(_ ref: ScanRef, source: String) async -> Bool { await scheduler.refetchNow(ref, source: source) }
    func run() async { await scheduler.run() }
}
