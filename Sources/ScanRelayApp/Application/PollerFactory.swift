import Foundation
import HTTPCore
import Logging
import Polling
import Providers
import ScanCore

/// Builds the poll scheduler: one upstream client per source that has an upstream, poll results merged into the
/// same store webhooks feed, watch expiries published as `watch.expired` events.
enum PollerFactory {
    static func makeScheduler(
        _ configuration: AppConfiguration, store: ScanStore, indexes: ImageIndexTable, metrics: AppMetrics, durable: DurableState?,
        logger: Logger
    ) throws -> WatchScheduler {
        var sources: [String: WatchScheduler.Source] = [:]
        for source in configuration.sources {
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
        let events = store.events
        return WatchScheduler(
            policy: configuration.pollPolicy,
            sources: sources,
            sink: { update throws(ScanNotKept) in
                do throws(APIError) {
                    _ = try store.keep(update, journal: durable)
                } catch {
                    throw ScanNotKept(error.detail)
                }
            },
            onIndex: { index in indexes.record(index) },
            onExpired: { watch in
                events.publish(type: "watch.expired", payload: WatchEventJSON.encode(type: "watch.expired", watch: watch))
            },
            onChange: { watch in durable?.watchChanged(watch) },
            logger: logger)
    }
}

/// The `data:` of a `watch.expired` event: `{"type": ..., "watch": Watch}`.
enum WatchEventJSON {
    static func encode(type: String, watch: Watch) -> [UInt8] {
        var bytes = Array("{\"type\":".utf8)
        bytes += Array(JSONText.quoted(type).utf8)
        bytes += Array(",\"watch\":".utf8)
        bytes += (try? APIJSON.encoder.encode(watch)).map(Array.init) ?? Array("null".utf8)
        bytes += Array("}".utf8)
        return bytes
    }
}
