import Locking
import HTTPCore
import Locking
import Prometheus
import StateJournal

/// The service's Prometheus metrics, in a registry of its own.
///
/// One registry per application rather than the process-wide `MetricsSystem`: tests run several applications in
/// one process, and each must expose only its own counts. Gauges that mirror state held elsewhere (cached scans,
/// watches by state) are sampled when `/metrics` is scraped, not kept in step on every change.
final class AppMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let cachedScans: Gauge
    private let sseSubscribers: Gauge
    /// Handles of the per-request metrics (see ``MetricHandles``); the duration histogram's key has status 0.
    private let requests = MetricHandles<RequestKey, Counter>()
    private let requestDurations = MetricHandles<RequestKey, DurationHistogram>()
    private let webhookDeliveries = MetricHandles<WebhookKey, Counter>()
    /// The journal's write failures already added to their counter (the journal keeps the running total).
    private let journalWriteFailuresSeen = Locked(0)

    private struct RequestKey: Hashable, Sendable {
        let route: String, method: String, status: Int
    }

    private struct WebhookKey: Hashable, Sendable {
        let source: String, outcome: WebhookOutcome
    }

    static let durationBuckets: [Duration] = [
        .milliseconds(1), .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50),
        .milliseconds(100), .milliseconds(250), .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5),
        .seconds(10), .seconds(30), .seconds(60), .seconds(300),
    ]

    init() {
        cachedScans = registry.makeGauge(descriptor: Names.cachedScans)
        sseSubscribers = registry.makeGauge(descriptor: Names.sseSubscribers)
    }

    // MARK: HTTP

    func recordRequest(route: String, method: String, status: Int, duration: Duration) {
        let method = HTTPMethod.implemented.contains(HTTPMethod(method)) ? method : "other"
        requests.handle(RequestKey(route: route, method: method, status: status)) {
            registry.makeCounter(
                descriptor: Names.httpRequests, labels: [("route", route), ("method", method), ("status", String(status))])
        }.increment()
        requestDurations.handle(RequestKey(route: route, method: method, status: 0)) {
            registry.makeDurationHistogram(
                descriptor: Names.httpRequestDuration, labels: [("route", route), ("method", method)],
                buckets: Self.durationBuckets)
        }.record(duration)
    }

    func connectionOpened(protocol name: String) { openConnections(name).increment() }
    func connectionClosed(protocol name: String) { openConnections(name).decrement() }

    private func openConnections(_ name: String) -> Gauge {
        registry.makeGauge(descriptor: Names.openConnections, labels: [("protocol", name)])
    }

    // MARK: Webhooks and polls

    func recordWebhook(source: String, outcome: WebhookOutcome) {
        webhookDeliveries.handle(WebhookKey(source: source, outcome: outcome)) {
            registry.makeCounter(
                descriptor: Names.webhookDeliveries, labels: [("source", source), ("outcome", outcome.rawValue)])
        }.increment()
    }

    func recordPoll(source: String, outcome: String) {
        registry.makeCounter(descriptor: Names.polls, labels: [("source", source), ("outcome", outcome)]).increment()
    }

    // MARK: Sampled state

    func sseSubscriberJoined() { sseSubscribers.increment() }
    func sseSubscriberLeft() { sseSubscribers.decrement() }

    /// A subscriber the server ended because it did not keep up (`scanrelay_sse_subscribers_dropped_total`).
    func sseSubscriberDropped(_ reason: SubscriberDropReason) {
        registry.makeCounter(descriptor: Names.sseSubscribersDropped, labels: [("reason", reason.rawValue)]).increment()
    }

    /// Sets the gauges that mirror state, then writes the exposition text. `journal` is nil without `state.dir`.
    func exposition(
        cachedScans count: Int, watchesByState: [String: Int],
        journal: (health: JournalHealth, statistics: JournalStatistics)? = nil
    ) -> [UInt8] {
        cachedScans.set(to: Double(count))
        for (state, watches) in watchesByState {
            registry.makeGauge(descriptor: Names.watches, labels: [("state", state)]).set(to: Double(watches))
        }
        if let journal {
            registry.makeGauge(descriptor: Names.journalWritable).set(to: journal.health == .healthy ? 1 : 0)
            registry.makeGauge(descriptor: Names.journalDamagedFiles).set(to: Double(journal.statistics.damagedFilesSetAside))
            let failures = registry.makeCounter(descriptor: Names.journalWriteFailures)
            let seen = journalWriteFailuresSeen.withLock { seen in
                defer { seen = max(seen, journal.statistics.writeFailures) }
                return seen
            }
            if journal.statistics.writeFailures > seen { failures.increment(by: Int64(journal.statistics.writeFailures - seen)) }
        }
        return registry.emitToBuffer()
    }
}

/// The metric names users' dashboards rely on (README, "Observability"), with their help texts.
private enum Names {
    static var httpRequests: MetricNameDescriptor {
        name("http_requests", unit: "total", "HTTP requests answered, by route pattern, method and status.")
    }
    static var httpRequestDuration: MetricNameDescriptor {
        name("http_request_duration", unit: "seconds", "Time from a request's arrival to its response head.")
    }
    static var openConnections: MetricNameDescriptor { name("open_connections", "Open client connections, by protocol.") }
    static var webhookDeliveries: MetricNameDescriptor {
        name("webhook_deliveries", unit: "total", "Webhook deliveries, by source and outcome.")
    }
    static var polls: MetricNameDescriptor { name("polls", unit: "total", "Upstream polls, by source and outcome.") }
    static var watches: MetricNameDescriptor { name("watches", "Watches, by state.") }
    static var cachedScans: MetricNameDescriptor { name("cached_scans", "Scans held in the in-memory cache.") }
    static var sseSubscribers: MetricNameDescriptor { name("sse_subscribers", "Clients connected to GET /v1/events.") }
    static var sseSubscribersDropped: MetricNameDescriptor {
        name("sse_subscribers_dropped", unit: "total", "Event-stream subscribers dropped for not keeping up, by reason.")
    }
    static var journalWritable: MetricNameDescriptor {
        name("journal_writable", "1 while the state journal records changes, 0 while it refuses them after a failed write.")
    }
    static var journalWriteFailures: MetricNameDescriptor {
        name("journal_write_failures", unit: "total", "State journal writes or syncs that failed (a full disk, a failing device).")
    }
    static var journalDamagedFiles: MetricNameDescriptor {
        name("journal_damaged_files", "Damaged state journal files moved aside as *.damaged-* at the last start.")
    }

    private static func name(_ metric: String, unit: String = "", _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "scanrelay", metricName: metric, unitName: unit, helpText: help)
    }
}

/// How a webhook delivery ended, the `outcome` label of `scanrelay_webhook_deliveries_total`.
enum WebhookOutcome: String, Sendable {
    case accepted, duplicate, unauthorized, invalid, ignored
    case tooLarge = "too_large"
    case unsupportedMediaType = "unsupported_media_type"
    case unknownSource = "unknown_source"
    /// Our own failure (answered 503): the delivery is not recorded and the sender will retry.
    case failed
}

/// Why an event stream was ended by the server, the `reason` label of `scanrelay_sse_subscribers_dropped_total`.
enum SubscriberDropReason: String, Sendable {
    /// Its unsent bytes would have passed `cache.sseSubscriberBufferBytes`.
    case slow
    /// It fell a whole event ring behind.
    case behind
}
