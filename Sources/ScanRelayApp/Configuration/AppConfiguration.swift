import ScanCore
import Logging
import Postgres
import Webhooks

/// The validated, typed configuration of one ScanRelay process.
///
/// Built by `ConfigurationLoader` from a YAML/JSON file plus `SCANRELAY_*` variables; every value here has already
/// been checked, so the application never re-validates. The defaults are the ones README's configuration tables document, so
/// `AppConfiguration()` is exactly what `scanrelay serve` runs without a file.
public struct AppConfiguration: Sendable, Equatable {
    public var listen: ListenAddress
    public var api: APIConfiguration
    public var limits: LimitsConfiguration
    public var cache: CacheConfiguration
    public var state: StateConfiguration
    public var poll: PollConfiguration
    public var sources: [SourceConfiguration]
    public var logLevel: Logger.Level
    public var logFormat: LogFormat

    public init(
        listen: ListenAddress = .default,
        api: APIConfiguration = APIConfiguration(),
        limits: LimitsConfiguration = LimitsConfiguration(),
        cache: CacheConfiguration = CacheConfiguration(),
        state: StateConfiguration = StateConfiguration(),
        poll: PollConfiguration = PollConfiguration(),
        sources: [SourceConfiguration] = [],
        logLevel: Logger.Level = .info,
        logFormat: LogFormat = .text
    ) {
        self.listen = listen
        self.api = api
        self.limits = limits
        self.cache = cache
        self.state = state
        self.poll = poll
        self.sources = sources
        self.logLevel = logLevel
        self.logFormat = logFormat
    }

    /// The source named `name` (source names are unique).
    public func source(named name: String) -> SourceConfiguration? {
        sources.first { $0.name == name }
    }
}

/// How log lines are written: swift-log's human-readable text, or one JSON object per line.
public enum LogFormat: String, Sendable, Equatable, CaseIterable {
    case text
    case json
}

/// The in-memory cache of scans and change events.
public struct CacheConfiguration: Sendable, Equatable {
    /// Scans kept; beyond, the least recently updated terminal scans are evicted first, then stale in-progress ones.
    public var maxScans: Int
    /// An in-progress scan unchanged this long is taken as abandoned and may be evicted when the cache is full.
    public var staleAfter: Duration
    /// Change events kept for `Last-Event-ID` resumption.
    public var eventRing: Int
    /// Interval of the `: ping` comment on idle SSE streams.
    public var ssePingInterval: Duration
    /// Open `GET /v1/events` streams at once; beyond, a `503` with `Retry-After`.
    public var maxSseSubscribers: Int
    /// Event bytes sent to one SSE subscriber that it may not have received yet (queued in the server, in the
    /// kernel's send queue, or framed in its HTTP/2 connection's output); a subscriber whose next event would pass
    /// it is dropped at once (it reconnects with `Last-Event-ID`). With `maxSseSubscribers` it bounds what
    /// subscribers that stop reading can make the server (and its kernel) hold.
    public var sseSubscriberBufferBytes: Int
    /// Concurrent `GET /v1/scans/{id}?wait=` requests held at once; beyond, a `503`.
    public var maxLongPollWaiters: Int
    /// Webhook delivery keys remembered for deduplication; beyond, the oldest are forgotten first.
    public var dedupeKeys: Int
    /// How long a delivery key is remembered: senders retry for up to three days.
    public var dedupeWindow: Duration

    public init(
        maxScans: Int = ScanStore.Configuration.defaultMaxScans,
        staleAfter: Duration = ScanStore.Configuration.defaultStaleAfter,
        eventRing: Int = 10_000,
        ssePingInterval: Duration = .seconds(15),
        maxSseSubscribers: Int = 1_000,
        sseSubscriberBufferBytes: Int = 64 * 1024,
        maxLongPollWaiters: Int = ScanStore.Configuration.defaultMaxWaiters,
        dedupeKeys: Int = DeliveryLedger.defaultCapacity,
        dedupeWindow: Duration = DeliveryLedger.defaultWindow
    ) {
        self.maxScans = maxScans
        self.staleAfter = staleAfter
        self.eventRing = eventRing
        self.ssePingInterval = ssePingInterval
        self.maxSseSubscribers = maxSseSubscribers
        self.sseSubscriberBufferBytes = sseSubscriberBufferBytes
        self.maxLongPollWaiters = maxLongPollWaiters
        self.dedupeKeys = dedupeKeys
        self.dedupeWindow = dedupeWindow
    }
}

/// Where scans, dedupe keys, events and watches are kept beyond memory: journaled to `dir` (one replica), shared
/// through PostgreSQL (`postgres`, several replicas), or neither (memory only). The two are exclusive.
public struct StateConfiguration: Sendable, Equatable {
    public var dir: String?
    /// A libpq connection string or URI. A secret: never printed.
    public var postgres: String?
    /// Pooled connections each replica keeps to PostgreSQL (each on a thread of its own), beside its LISTEN one:
    /// the most statements it runs at once.
    public var postgresConnections: Int

    /// The pool's own default, so it is written once.
    public static let defaultPostgresConnections = PostgresPool.Configuration().size

    public init(dir: String? = nil, postgres: String? = nil, postgresConnections: Int = Self.defaultPostgresConnections) {
        self.dir = dir
        self.postgres = postgres
        self.postgresConnections = postgresConnections
    }
}
