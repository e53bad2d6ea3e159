import AppState
import Foundation
import HTTPCore
import Logging
import Polling
import ScanCore
import StateJournal
import Webhooks

/// Every route of the service and the middleware in front of them, in one place: where a request enters.
enum AppRoutes {
    struct Components: Sendable {
        let state: any StateStore
        /// Multi-arch indexes learned by polling, for `GET /v1/images/{imageId}/scans`.
        let indexes: ImageIndexTable
        let watches: any WatchDirectory
        let metrics: AppMetrics
        let readiness: Readiness
        let shutdown: ShutdownSignal
        /// What long-poll deadlines and SSE ping intervals are measured on (`ContinuousClock` but in tests).
        let clock: any Clock<Duration>
        /// The `state.dir` journal, for its metrics; nil without one.
        let journal: StateJournal?
        let logger: Logger
    }

    static func responder(configuration: AppConfiguration, components c: Components) throws -> any HTTPResponder {
        var router = Router()
        let providers = Dictionary(uniqueKeysWithValues: configuration.sources.map { ($0.name, $0.provider) })
        let pollable = Set(configuration.sources.filter { $0.upstream != nil }.map(\.name))

        try webhookIngest(configuration, c).register(on: &router)
        WatchesAPI(watches: c.watches, providers: providers, pollableSources: pollable, state: c.state)
            .register(on: &router)
        ScansAPI(state: c.state, indexes: c.indexes, longPoll: LongPoll(state: c.state, shutdown: c.shutdown, clock: c.clock)).register(on: &router)
        EventsAPI(
            events: c.state.events, pingInterval: configuration.cache.ssePingInterval,
            maxSubscribers: configuration.cache.maxSseSubscribers,
            subscriberBufferBytes: configuration.cache.sseSubscriberBufferBytes, shutdown: c.shutdown, metrics: c.metrics,
            clock: c.clock
        ).register(on: &router)
        let watches = c.watches, state = c.state
        OperationsAPI(
            readiness: c.readiness, metrics: c.metrics,
            sampleState: {
                let counts = await watches.countsByState()
                return (state.cachedScanCount, Dictionary(uniqueKeysWithValues: counts.map { ($0.key.rawValue, $0.value) }))
            },
            openAPIDocument: try OpenAPIDocument.load(),
            journal: c.journal, state: c.state
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
        ], answeringErrors: ErrorAnswers.response(for:))
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
            sources: sources, maxBodyBytes: configuration.limits.maxBodyBytes, state: c.state,
            watches: c.watches, metrics: c.metrics, logger: c.logger, now: { Date() })
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
