import AppState
import Foundation
import Logging
import Polling
import PostgresState
import Providers
import ScanCore

/// The watches every replica shares (`state.postgres`): kept in the database, each due poll leased by exactly one
/// replica with a fence every write of that poll names, so a replica that lost its lease (paused, partitioned)
/// cannot overwrite the one that took it over.
struct SharedWatches: WatchDirectory {
    let store: PostgresWatchStore
    let poller: SharedWatchPoller<PostgresWatchStore>

    static func make(
        _ configuration: AppConfiguration, state: PostgresStateStore, sources: [String: WatchScheduler.Source],
        indexes: ImageIndexTable, logger: Logger
    ) -> SharedWatches {
        let store = PostgresWatchStore(
            database: state.database, owner: replicaName(), policy: configuration.pollPolicy,
            // Appended in the expiry's own transaction: exactly one replica publishes it, every replica's reader
            // hands it to its SSE subscribers.
            expiredEventPayload: { WatchEventJSON.encode(type: "watch.expired", watch: $0) })
        let poller = SharedWatchPoller(
            policy: configuration.pollPolicy, sources: sources, store: store,
            sink: { update, fence throws(ScanNotKept) in
                do throws(StateError) {
                    _ = try await state.keepPollResult(update, fence: fence)
                } catch {
                    throw ScanNotKept(error.description)
                }
            },
            onIndex: { index in indexes.record(index) },
            logger: logger)
        return SharedWatches(store: store, poller: poller)
    }

    /// `lease_owner`: which replica holds a lease, for an operator reading the table (the fence guards the writes).
    static func replicaName() -> String {
        var host = [CChar](repeating: 0, count: 256)
        gethostname(&host, host.count - 1)
        let name = String(decoding: host.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(name)/\(getpid())/\(UInt32.random(in: 0...UInt32.max))"
    }

    func add(_ request: WatchRequest) async throws -> Watch {
        try poller.check(request)
        let watch = try await stored("the watch") { try await store.create(request) }
        // Due now or soon: lease it without waiting for the next tick.
        poller.wake()
        return watch
    }

    func watch(id: String) async throws -> Watch? { try await stored("the watch") { try await store.watch(id: id) } }
    func cancel(id: String) async throws -> Watch? { try await stored("the cancellation") { try await store.cancel(id: id) } }

    func list(state: Watch.State?, limit: Int, pageToken: String?) async throws -> WatchPage? {
        try await stored("the watch list") { try await store.list(state: state, limit: limit, pageToken: pageToken) }
    }

    /// The store's answer; a refusal of the request itself (`WatchError`) as it is, a database failure as the
    /// `503` any change gets while the database cannot be reached (its text names no connection detail).
    private func stored<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let refusal as WatchError {
            throw refusal
        } catch {
            throw StateError.unavailable("\(what) cannot be read or stored now: the database cannot be reached", retryAfterSeconds: 5)
        }
    }

    func countsByState() async -> [Watch.State: Int] { (try? await store.countsByState()) ?? [:] }

    /// Watches on any replica may follow the scan: always asked.
    var mayMatchWebhooks: Bool { true }

    func matchWebhook(_ update: ScanUpdate) async throws { _ = try await store.endWatches(following: update) }
    func refetchNow(_ ref: ScanRef, source: String) async -> Bool { await poller.refetchNow(ref, source: source) }
    func run() async { await poller.run() }
}
