import AppState
import Foundation
import JSONEscaping
import Logging
import Polling
import PostgresState
import Providers
import ScanCore

/// Builds the poll scheduler: one upstream client per source that has an upstream, poll results kept in the same
/// state store webhooks feed, watch expiries published as `watch.expired` events.
enum PollerFactory {
    /// The watches of the configured state: shared by every replica and polled under leases with `state.postgres`,
    /// else this process's scheduler.
    static func makeWatches(
        _ configuration: AppConfiguration, state: any StateStore, indexes: ImageIndexTable, metrics: AppMetrics,
        clients: [String: any UpstreamClient] = [:], logger: Logger
    ) throws -> (watches: any WatchDirectory, scheduler: WatchScheduler?) {
        let sources = try makeSources(configuration, metrics: metrics, clients: clients)
        if let shared = state as? PostgresStateStore {
            return (SharedWatches.make(configuration, state: shared, sources: sources, indexes: indexes, logger: logger), nil)
        }
        let scheduler = makeScheduler(configuration, state: state, sources: sources, indexes: indexes, logger: logger)
        return (LocalWatches(scheduler: scheduler), scheduler)
    }

    /// One upstream client per source that has an upstream (or the one a test passes), counted in the metrics.
    static func makeSources(
        _ configuration: AppConfiguration, metrics: AppMetrics, clients: [String: any UpstreamClient]
    ) throws -> [String: WatchScheduler.Source] {
        var sources: [String: WatchScheduler.Source] = [:]
        for source in configuration.sources {
            if let client = clients[source.name] {
                sources[source.name] = WatchScheduler.Source(provider: source.provider, client: client)
                continue
            }
            guard let upstream = source.upstreamConfiguration(requestTimeout: configuration.poll.requestTimeout) else {
                continue
            }
            let client = makeUpstreamClient(
                provider: source.provider, source: source.name, configuration: upstream,
                maxConnections: configuration.poll.concurrencyPerSource)
            guard let client else {
                throw WiringError.upstream(
                    source: source.name, problem: "provider \(source.provider.rawValue) has no upstream API to poll")
            }
            sources[source.name] = WatchScheduler.Source(
                provider: source.provider, client: CountingUpstreamClient(source: source.name, client: client, metrics: metrics))
        }
        return sources
    }

    static func makeScheduler(
        _ configuration: AppConfiguration, state: any StateStore, sources: [String: WatchScheduler.Source],
        indexes: ImageIndexTable, logger: Logger
    ) -> WatchScheduler {
        let events = state.events
        return WatchScheduler(
            policy: configuration.pollPolicy,
            sources: sources,
            sink: { update throws(ScanNotKept) in
                do throws(StateError) {
                    _ = try await state.keepPollResult(update, now: Date())
                } catch {
                    throw ScanNotKept(error.description)
                }
            },
            onIndex: { index in indexes.record(index) },
            onExpired: { watch in
                events.publish(type: "watch.expired", payload: WatchEventJSON.encode(type: "watch.expired", watch: watch))
            },
            onChange: { saved in state.watchChanged(saved) },
            logger: logger)
    }
}

/// The `data:` of a `watch.expired` event: `{"type": ..., "watch": Watch}`.
enum WatchEventJSON {
    static func encode(type: String, watch: Watch) -> [UInt8] {
        var bytes = Array("{\"type\":".utf8)
        JSONString.append(type, to: &bytes)
        bytes += Array(",\"watch\":".utf8)
        bytes += (try? APIJSON.encoder.encode(watch)).map(Array.init) ?? Array("null".utf8)
        bytes += Array("}".utf8)
        return bytes
    }
}
