import Foundation
import ScanCore
import Testing
@testable import ScanRelayApp

/// The bounds on `GET /v1/events`: how many subscribers, and how much one that stops reading may hold.
@Suite("GET /v1/events limits")
struct EventSubscriberLimitTests {
    /// A scan whose event is about 6 KB on the stream: two dozen checks with long reasons, as OpsMx reports them.
    static func largeScan(_ number: Int) -> ScanUpdate {
        var update = ScanUpdate.make("flood-\(number)")
        update.checks = (0..<24).map { index in
            ScanCheck(
                name: "check-\(index)", score: Double(index) / 10,
                reason: "filler \(number)/\(index) " + String(repeating: "x", count: 160),
                url: "https://example.test/checks/\(index)")
        }
        return update
    }

    @Test func subscribers_BeyondTheCap_Get503WithRetryAfter_UntilOneLeaves() async throws {
        let app = try await RunningApp.start {
            $0.cache.maxSseSubscribers = 2
            // Pings make the server write, which is how it learns a subscriber has gone.
            $0.cache.ssePingInterval = .milliseconds(50)
        }
        var first: SSEClient? = try await SSEClient.connect(port: app.port)
        let second = try await SSEClient.connect(port: app.port)
        #expect(first?.head.status == 200 && second.head.status == 200)

        let refused = try await app.get("/v1/events")
        #expect(refused.status == 503)
        #expect(refused.header("Retry-After") == "5")
        #expect(refused.header("Content-Type") == "application/problem+json")
        #expect((refused.json["detail"] as? String)?.contains("2 event streams") == true)

        first = nil
        let events = app.app.store.events
        var third: SSEClient?
        for _ in 0..<200 where third == nil {
            if events.subscriberCount < 2 { third = try await SSEClient.connect(port: app.port) }
            else { try await Task.sleep(for: .milliseconds(25)) }
        }
        #expect(third?.head.status == 200)
        withExtendedLifetime((first, second)) {}
        try await app.stop()
    }

    @Test func aSubscriberThatNeverReads_IsDroppedAsSlow_OnceItsBufferIsFull() async throws {
        let app = try await RunningApp.start {
            $0.cache.sseSubscriberBufferBytes = 16 * 1024
            // Far beyond the test: the drop must come from the buffer, not the write timeout.
            $0.limits.writeTimeout = .seconds(300)
        }
        let events = app.app.store.events
        let subscriber = try NeverReadingSubscriber(port: app.port)
        let reader = try await SSEClient.connect(port: app.port)
        for _ in 0..<200 where events.subscriberCount < 2 { try await Task.sleep(for: .milliseconds(10)) }
        #expect(events.subscriberCount == 2)

        // The kernel's buffers fill first (the server's send buffer grows up to tcp_wmem's 4 MiB on loopback), then
        // 16 KiB: within 2,000 events of 6 KB.
        var published = 0
        while published < 2_000 && events.subscriberCount == 2 {
            app.seed(Self.largeScan(published))
            published += 1
            try await Task.sleep(for: .milliseconds(1))
        }
        #expect(events.subscriberCount == 1, "still subscribed after \(published) events of 6 KB")
        let metrics = try PrometheusText(try await app.get("/metrics"))
        #expect(metrics.value("scanrelay_sse_subscribers_dropped_total", ["reason": "slow"]) == 1)
        #expect(try await onOwnThread { subscriber.wasClosedByServer() })

        // The subscriber that reads is unaffected and got every event, in order.
        var ids: [String] = []
        while ids.count < published, let event = try await reader.nextEvent() { ids.append(event.id ?? "") }
        #expect(ids == (1...published).map(String.init))
        try await app.stop()
    }

    @Test func configuration_ReadsBothLimits_WithDefaults_AndRefusesOutOfRangeValues() throws {
        let loaded = try ConfigurationLoader(environment: [:]).load(
            yaml: "cache: { maxSseSubscribers: 50, sseSubscriberBufferBytes: 256KiB }\n", file: "test.yaml", listen: nil)
        #expect(loaded.cache.maxSseSubscribers == 50)
        #expect(loaded.cache.sseSubscriberBufferBytes == 256 * 1024)
        let defaults = AppConfiguration()
        #expect(defaults.cache.maxSseSubscribers == 1_000 && defaults.cache.sseSubscriberBufferBytes == 64 * 1024)
        #expect(ConfigurationFixtures.problems("cache: { maxSseSubscribers: 0, sseSubscriberBufferBytes: 100 }\n") == [
            "test.yaml:1: cache.maxSseSubscribers: \"0\" is not valid; expected an integer from 1 to 1000000",
            "test.yaml:1: cache.sseSubscriberBufferBytes: must be at least 4096 bytes",
        ])
    }
}
