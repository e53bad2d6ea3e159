import Foundation
import HTTPCore
import Logging
import Polling
import ScanCore
import Webhooks

/// Every route of the service and the middleware in front of them, in one place: where a request enters.
enum AppRoutes {
    struct Components: Sendable {
        let store: ScanStore
        /// Multi-arch indexes learned by polling, for `GET /v1/images/{imageId}/scans`.
        let indexes: ImageIndexTable
        let scheduler: WatchScheduler
        let metrics: AppMetrics
        let readiness: Readiness
        let shutdown: ShutdownSignal
        let ledger: DeliveryLedger
        /// The `state.dir` journal, or nil (memory only).
        let durable: DurableState?
        let logger: Logger
    }

    static func responder(configuration: AppConfiguration, components c: Components) throws -> any HTTPResponder {
        var router = Router()
        let providers = Dictionary(uniqueKeysWithValues: configuration.sources.map { ($0.name, $0.provider) })
        let pollable = Set(configuration.sources.filter { $0.upstream != nil }.map(\.name))

        try webhookIngest(configuration, c).register(on: &router)
        WatchesAPI(scheduler: c.scheduler, providers: providers, pollableSources: pollable, durable: c.durable)
            .register(on: &router)
        ScansAPI(store: c.store, indexes: c.indexes, longPoll: LongPoll(store: c.store, shutdown: c.shutdown)).register(on: &router)
        EventsAPI(
            events: c.store.events, pingInterval: configuration.cache.ssePingInterval,
            maxSubscribers: configuration.cache.maxSseSubscribers,
            subscriberBufferBytes: configuration.cache.sseSubscriberBufferBytes, shutdown: c.shutdown, metrics: c.metrics
        ).register(on: &router)
        let scheduler = c.scheduler, store = c.store
        OperationsAPI(
            readiness: c.readiness, metrics: c.metrics,
            sampleState: {
                let watches = await scheduler.countsByState()
                return (store.count, Dictionary(uniqueKeysWithValues: watches.map { ($0.key.rawValue, $0.value) }))
            },
            openAPIDocument: try OpenAPIDocument.load(),
            journal: c.durable?.journal
        ).register(on: &router)

        // The router matches each request once, first; then, outermost first: Cache-Control, request id, access log,
        // metrics, and auth right in front of the handler, all reading the route that matched.
        let tokens = configuration.api.tokens
        return router.responder(behind: [
            CacheControlMiddleware(),
            RequestIDMiddleware(),
            AccessLogMiddleware(logger: c.logger),
            HTTPMetricsMiddleware(metrics: c.metrics),
            AuthMiddleware(authenticator: tokens.isEmpty ? nil : TokenAuthenticator(tokens: tokens)),
        ])
    }

    private static func webhookIngest(_ configuration: AppConfiguration, _ c: Components) throws -> WebhookIngest {
        var sources: [String: WebhookIngest.Source] = [:]
        for source in configuration.sources {
            let verifier: WebhookVerifier
            do {
                verifier = try WebhookVerifier(source.webhookScheme)
            } catch {
                throw WiringError.webhook(source: source.name, problem: error.description)
            }
            sources[source.name] = WebhookIngest.Source(
                name: source.name, provider: source.provider, verifier: verifier, hasUpstream: source.upstream != nil)
        }
        return WebhookIngest(
            sources: sources, maxBodyBytes: configuration.limits.maxBodyBytes, ledger: c.ledger, store: c.store,
            scheduler: c.scheduler, durable: c.durable, metrics: c.metrics, logger: c.logger, now: { Date() })
    }
}

/// A configuration that passed validation but cannot be wired (a secret that does not decode, say).
public enum WiringError: Error, CustomStringConvertible, Sendable {
    case webhook(source: String, problem: String)
    case upstream(source: String, problem: String)

    public var description: String {
        switch self {
        case .webhook(let source, let problem): "sources.\(source).webhook: \(problem)"
        case .upstream(let source, let problem): "sources.\(source).upstream: \(problem)"
        }
    }
}
