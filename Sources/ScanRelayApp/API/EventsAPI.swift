import HTTPCore
import ScanCore

/// `GET /v1/events`: Server-Sent Events from the store's event ring.
///
/// Each stream replays from `Last-Event-ID` when given, then follows live events; a `: ping` comment goes out every
/// `pingInterval`. It ends when the client goes away (a write throws), when shutdown begins, or when the client does
/// not keep up: the events its connection could not send yet would pass `subscriberBufferBytes`, or it fell a whole
/// ring behind. Such a client reconnects with its last id. So what a subscriber that stops reading costs is at most
/// its buffer, freed as soon as it fills, and subscribers are at most `maxSubscribers` (beyond: `503`).
struct EventsAPI: Sendable {
    let events: EventLog
    let pingInterval: Duration
    let maxSubscribers: Int
    let subscriberBufferBytes: Int
    let shutdown: ShutdownSignal
    let metrics: AppMetrics
    /// What `pingInterval` is measured on: a manual clock in tests.
    let clock: any Clock<Duration>

    /// Clients reconnect after this long when the stream ends.
    static let reconnectMilliseconds = 2000
    /// When every subscriber slot is taken: about the time it takes slow subscribers to be dropped.
    static let retryAfterWhenFullSeconds = 5

    func register(on router: inout Router) {
        router.get("/v1/events", access: .read) { request in
            try stream(request)
        }
    }

    private func stream(_ request: HTTPRequest) throws(APIError) -> HTTPResponse {
        var resumeAfter: UInt64?
        if let text = request.headers["Last-Event-ID"]?.trimmingASCIISpaces(), !text.isEmpty {
            guard text.count <= 19, text.allSatisfy({ $0.isASCII && $0.isNumber }), let id = UInt64(text) else {
                throw .badRequest("Last-Event-ID must be an event id this server sent", field: "Last-Event-ID")
            }
            resumeAfter = id
        }
        guard !shutdown.isFired else { throw .unavailable("shutting down", retryAfterSeconds: 5) }
        guard let subscription = events.subscribe(after: resumeAfter, ifFewerThan: maxSubscribers) else {
            throw .unavailable(
                "\(maxSubscribers) event streams are open, the most this server serves; retry later",
                retryAfterSeconds: Self.retryAfterWhenFullSeconds)
        }
        let headers: HTTPHeaders = [
            "Content-Type": "text/event-stream",
            // A live stream: nothing a cache could keep and revalidate (README, "Caching").
            "Cache-Control": "no-store",
            // Tells buffering proxies (nginx) to pass events through as they come.
            "X-Accel-Buffering": "no",
        ]
        let body = HTTPResponse.Body.stream { writer in
            try await run(subscription, writer: SerialBodyWriter(writer))
        }
        return HTTPResponse(status: .ok, headers: headers, body: body, maxUnsentBodyBytes: subscriberBufferBytes)
    }

    private func run(_ subscription: EventSubscription, writer: SerialBodyWriter) async throws {
        metrics.sseSubscriberJoined()
        defer { metrics.sseSubscriberLeft() }
        try await writer.write(ServerSentEvent.retry(milliseconds: Self.reconnectMilliseconds))
        let ended = await withThrowingTaskGroup(of: Void.self) { group -> (any Error)? in
            group.addTask {
                for try await event in subscription {
                    try await writer.write(ServerSentEvent.frame(id: event.id, event: event.type, data: event.payload))
                }
            }
            group.addTask {
                while true {
                    try await clock.sleep(for: pingInterval)
                    try await writer.write(ServerSentEvent.ping)
                }
            }
            group.addTask { await shutdown.wait() }
            // Whichever ends first (client gone, too slow, shutdown) ends the stream.
            defer { group.cancelAll() }
            do {
                _ = try await group.next()
                return nil
            } catch {
                return error
            }
        }
        switch ended {
        case HTTPBodyWriterError.unsentLimitExceeded?: metrics.sseSubscriberDropped(.slow)
        case EventLog.SubscriptionError.tooSlow?: metrics.sseSubscriberDropped(.behind)
        default: break
        }
    }
}
