import HTTPCore
import ScanCore

/// `GET /v1/events`: Server-Sent Events from the store's event ring.
///
/// Each stream replays from `Last-Event-ID` when given, then follows live events; a `: ping` comment goes out every
/// `pingInterval`. It ends when the client goes away (a write throws), when it falls a whole ring behind (too slow:
/// memory stays bounded, the client reconnects with its last id), or when shutdown begins.
struct EventsAPI: Sendable {
    let events: EventLog
    let pingInterval: Duration
    let shutdown: ShutdownSignal
    let metrics: AppMetrics

    /// Clients reconnect after this long when the stream ends.
    static let reconnectMilliseconds = 2000

    func register(on router: inout Router) {
        router.get("/v1/events", access: .read) { request in
            await answering { () throws(APIError) in try stream(request) }
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
        let subscription = events.subscribe(after: resumeAfter)
        let headers: HTTPHeaders = [
            "Content-Type": "text/event-stream",
            // A live stream: nothing a cache could keep and revalidate (README, "Caching").
            "Cache-Control": "no-store",
            // Tells buffering proxies (nginx) to pass events through as they come.
            "X-Accel-Buffering": "no",
        ]
        return HTTPResponse(status: .ok, headers: headers, body: .stream { writer in
            try await run(subscription, writer: SerialBodyWriter(writer))
        })
    }

    private func run(_ subscription: EventSubscription, writer: SerialBodyWriter) async throws {
        metrics.sseSubscriberJoined()
        defer { metrics.sseSubscriberLeft() }
        try await writer.write(ServerSentEvent.retry(milliseconds: Self.reconnectMilliseconds))
        await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                for try await event in subscription {
                    try await writer.write(ServerSentEvent.frame(id: event.id, event: event.type, data: event.payload))
                }
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: pingInterval)
                    try await writer.write(ServerSentEvent.ping)
                }
            }
            group.addTask { await shutdown.wait() }
            // Whichever ends first (client gone, too slow, shutdown) ends the stream.
            _ = try? await group.next()
            group.cancelAll()
        }
    }
}
