import Locking
import Foundation
import HTTPCore
import HTTPServer
import Logging
import UnixSignals
import Polling
import ScanCore
import ServiceLifecycle
import Webhooks

/// The whole service: HTTP server, API handlers, cache and poller, wired from one configuration.
///
/// `scanrelay serve` builds one and calls `run()`; tests build the same application on port 0 and drive it with
/// `start()`, `localPort` and `stop()`.
public final class ScanRelayApplication: Sendable {
    public let configuration: AppConfiguration
    let logger: Logger
    let server: HTTPServer
    let store: ScanStore
    let scheduler: WatchScheduler
    let metrics: AppMetrics
    /// The `state.dir` journal, or nil (memory only).
    let durable: DurableState?
    let readiness = Readiness()
    let shutdown = ShutdownSignal()
    /// The running group, or a stop asked for before `run` made one.
    private let lifecycle = Locked<(group: ServiceGroup?, stopRequested: Bool)>((nil, false))

    public init(configuration: AppConfiguration, logger: Logger) throws {
        if configuration.exposesOpenAPI {
            throw ApplicationError.openAPIOnPublicAddress(configuration.listen)
        }
        self.configuration = configuration
        self.logger = logger
        let metrics = AppMetrics()
        let store = ScanStore(
            configuration: configuration.storeConfiguration, events: EventLog(capacity: configuration.cache.eventRing))
        let ledger = DeliveryLedger(window: configuration.cache.dedupeWindow, capacity: configuration.cache.dedupeKeys)
        let durable = try configuration.state.dir.map { directory in
            try DurableState(
                directory: directory, store: store, ledger: ledger, logger: logger,
                options: DurableState.journalOptions(maxBodyBytes: configuration.limits.maxBodyBytes))
        }
        let indexes = ImageIndexTable(capacity: max(1, configuration.cache.maxScans / 10))
        let scheduler = try PollerFactory.makeScheduler(
            configuration, store: store, indexes: indexes, metrics: metrics, durable: durable, logger: logger)
        let responder = try AppRoutes.responder(
            configuration: configuration,
            components: AppRoutes.Components(
                store: store, indexes: indexes, scheduler: scheduler, metrics: metrics, readiness: readiness, shutdown: shutdown,
                ledger: ledger, durable: durable, logger: logger))
        self.metrics = metrics
        self.durable = durable
        self.store = store
        self.scheduler = scheduler
        self.server = HTTPServer(
            configuration: configuration.serverConfiguration, responder: responder, logger: logger,
            observer: ConnectionMetricsObserver(metrics: metrics))
        for source in configuration.sources where source.webhook.verify == .none {
            logger.warning("webhooks of source '\(source.name)' are not verified (webhook.verify: none)")
        }
    }

    /// The bound port once started (the kernel's choice when configured with port 0).
    public var localPort: Int { server.localPort }

    /// Binds the listener. `run()` calls it when it has not been called; tests call it to learn the port first.
    public func start() throws {
        try server.start()
        readiness.markReady()
        let host = configuration.listen.host.contains(":") ? "[\(configuration.listen.host)]" : configuration.listen.host
        logger.info("listening on \(host):\(server.localPort)")
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully: unready at once, long-polls and event streams
    /// answered or ended, no new connections, requests in flight finished within `limits.shutdownGrace`.
    public func run() async throws {
        try await run(handlingSignals: true)
    }

    /// `run()`, with or without the signal handlers; tests run without and call `stop()`.
    package func run(handlingSignals: Bool) async throws {
        // Trapped before the listener opens, so a SIGTERM right after `listening on` is a graceful shutdown too
        // (the group would only install its handlers once it runs).
        let signals = handlingSignals ? await UnixSignalsSequence(trapping: .sigterm, .sigint) : nil
        await durable?.resumeWatches(into: scheduler)
        if server.localPort == 0 { try start() }
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [
                    .init(service: HTTPServerService(server: server)),
                    .init(service: PollerService(scheduler: scheduler)),
                    .init(service: ShutdownNoticeService(readiness: readiness, signal: shutdown)),
                ],
                logger: logger))
        let stopRequested = lifecycle.withLock { state -> Bool in
            state.group = group
            return state.stopRequested
        }
        // A group remembers a shutdown asked for before it runs, and then starts and stops its services in order.
        if stopRequested { await group.triggerGracefulShutdown() }
        let signalWatcher = signals.map { signals in
            Task {
                for await signal in signals {
                    logger.info("received \(signal): shutting down gracefully")
                    await group.triggerGracefulShutdown()
                }
            }
        }
        defer { signalWatcher?.cancel() }
        try await group.run()
        await durable?.close()
        logger.info("stopped")
    }

    /// Begins the same graceful shutdown a SIGTERM does.
    package func stop() async {
        let group = lifecycle.withLock { state -> ServiceGroup? in
            state.stopRequested = true
            return state.group
        }
        await group?.triggerGracefulShutdown()
    }
}

/// Why the application refuses to start.
public enum ApplicationError: Error, CustomStringConvertible, Sendable {
    case openAPIOnPublicAddress(ListenAddress)

    public var description: String {
        switch self {
        case .openAPIOnPublicAddress(let listen):
            "refusing to serve an open API on \(listen), which is not a loopback address: configure api.tokens "
                + "(or SCANRELAY_API_TOKENS), listen on 127.0.0.1, or set api.allowAnonymous: true "
                + "(SCANRELAY_ALLOW_ANONYMOUS=true) to allow anonymous access deliberately"
        }
    }
}

/// Keeps `scanrelay_open_connections{protocol}` from the server's connection events.
struct ConnectionMetricsObserver: HTTPServerObserver {
    let metrics: AppMetrics

    func connectionOpened(protocol: String) { metrics.connectionOpened(protocol: `protocol`) }
    func connectionClosed(protocol: String) { metrics.connectionClosed(protocol: `protocol`) }
}
