import AppState
import Locking
import Foundation
import HTTPCore
import HTTPServer
import Logging
import UnixSignals
import Polling
import PostgresState
import Providers
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
    /// This process's scan cache (behind `state`).
    let store: ScanStore
    /// Where every change and read of the service's state goes.
    let state: any StateStore
    /// The watches, kept and polled by this process or shared by every replica.
    let watches: any WatchDirectory
    /// This process's scheduler when it keeps the watches itself (not with `state.postgres`).
    let scheduler: WatchScheduler?
    let metrics: AppMetrics
    /// The `state.dir` journal, or nil (memory only).
    let durable: DurableState?
    let readiness = Readiness()
    let shutdown = ShutdownSignal()
    /// The running group, or a stop asked for before `run` made one.
    private let lifecycle = Locked<(group: ServiceGroup?, stopRequested: Bool)>((nil, false))

    public convenience init(configuration: AppConfiguration, logger: Logger) throws {
        try self.init(configuration: configuration, logger: logger, upstreamClients: [:])
    }

    /// `upstreamClients` replaces the client of the sources it names (tests: an upstream that answers on cue);
    /// `clock` measures long-poll deadlines and SSE ping intervals (tests: a manual clock, so they need not sleep).
    package init(
        configuration: AppConfiguration, logger: Logger, upstreamClients: [String: any UpstreamClient],
        clock: any Clock<Duration> = ContinuousClock()
    ) throws {
        if configuration.exposesOpenAPI {
            throw ApplicationError.openAPIOnPublicAddress(configuration.listen)
        }
        self.configuration = configuration
        self.logger = logger
        let metrics = AppMetrics()
        let store = ScanStore(
            configuration: configuration.storeConfiguration, events: EventLog(capacity: configuration.cache.eventRing))
        let ledger = DeliveryLedger(window: configuration.cache.dedupeWindow, capacity: configuration.cache.dedupeKeys)
        let state = try Self.stateStore(configuration, cache: store, ledger: ledger, logger: logger)
        let indexes = ImageIndexTable(capacity: max(1, configuration.cache.maxScans / 10))
        let (watches, scheduler) = try PollerFactory.makeWatches(
            configuration, state: state, indexes: indexes, metrics: metrics, clients: upstreamClients, logger: logger)
        let responder = try AppRoutes.responder(
            configuration: configuration,
            components: AppRoutes.Components(
                state: state, indexes: indexes, watches: watches, metrics: metrics, readiness: readiness,
                shutdown: shutdown, clock: clock, journal: (state as? MemoryStateStore)?.journal?.journal, logger: logger))
        self.metrics = metrics
        self.durable = (state as? MemoryStateStore)?.journal
        self.store = store
        self.state = state
        self.watches = watches
        self.scheduler = scheduler
        self.server = HTTPServer(
            configuration: configuration.serverConfiguration, responder: responder, logger: logger,
            observer: ConnectionMetricsObserver(metrics: metrics))
        for source in configuration.sources where source.webhook.verify == .none {
            logger.warning("webhooks of source '\(source.name)' are not verified (webhook.verify: none)")
        }
    }

    /// The state store the configuration asks for: PostgreSQL shared by every replica, a journal in `state.dir`, or
    /// memory only.
    private static func stateStore(
        _ configuration: AppConfiguration, cache: ScanStore, ledger: DeliveryLedger, logger: Logger
    ) throws -> any StateStore {
        if let postgres = configuration.state.postgres {
            do {
                return try PostgresStateStore(
                    connectionString: postgres, cache: cache,
                    configuration: PostgresStateStore.Configuration(
                        dedupeWindow: configuration.cache.dedupeWindow, eventsKept: configuration.cache.eventRing,
                        pool: .init(size: configuration.state.postgresConnections)),
                    logger: logger)
            } catch {
                throw ApplicationError.postgres(error.description)
            }
        }
        if let directory = configuration.state.dir {
            return try MemoryStateStore(
                cache: cache, ledger: ledger, directory: directory,
                options: DurableState.journalOptions(maxBodyBytes: configuration.limits.maxBodyBytes), logger: logger)
        }
        return MemoryStateStore(cache: cache, ledger: ledger)
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
        try await state.prepare()
        if let scheduler { await state.resumeWatches(into: scheduler) }
        if server.localPort == 0 { try start() }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(services: services, logger: logger))
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
        logger.info("stopped")
    }

    /// The group's services, in the order they start. The group shuts them down one after the other in reverse:
    /// unready and long-lived requests woken, then the listener closed and requests in flight drained within
    /// `limits.shutdownGrace`, then the polls stopped, and last the journal flushed and closed.
    private var services: [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = []
        services.append(.init(service: StateService(state: state)))
        services.append(.init(service: PollerService(watches: watches)))
        services.append(.init(service: HTTPServerService(server: server)))
        services.append(.init(service: ShutdownNoticeService(readiness: readiness, signal: shutdown)))
        return services
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
    /// `state.postgres` cannot be used (it does not parse); the text names no secret.
    case postgres(String)

    public var description: String {
        switch self {
        case .openAPIOnPublicAddress(let listen):
            "refusing to serve an open API on \(listen), which is not a loopback address: configure api.tokens "
                + "(or SCANRELAY_API_TOKENS), listen on 127.0.0.1, or set api.allowAnonymous: true "
                + "(SCANRELAY_ALLOW_ANONYMOUS=true) to allow anonymous access deliberately"
        case .postgres(let problem):
            "state.postgres: \(problem)"
        }
    }
}

/// Keeps `scanrelay_open_connections{protocol}` from the server's connection events.
struct ConnectionMetricsObserver: HTTPServerObserver {
    let metrics: AppMetrics

    func connectionOpened(protocol: String) { metrics.connectionOpened(protocol: `protocol`) }
    func connectionClosed(protocol: String) { metrics.connectionClosed(protocol: `protocol`) }
}
