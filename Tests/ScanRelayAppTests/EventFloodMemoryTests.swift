import Foundation
import Testing

/// Issue 14's memory amplification, as the attack: on a real `scanrelay serve` process, 300 HTTP/1.1 subscribers
/// with 4 KiB receive buffers never read while 2,000 events of about 6 KB are published through webhooks. Before the
/// per-subscriber buffer each held a full outbound high-water mark (256 KiB, in a buffer grown to 512 KiB) until the
/// write timeout: RSS went from 39 to 177 MB. Now each holds at most `cache.sseSubscriberBufferBytes` (64 KiB) and
/// is dropped as soon as that is full.
@Suite(.serialized, .timeLimit(.minutes(3)))
struct EventFloodMemoryTests {
    static let subscribers = 300
    static let events = 2_000
    /// Generous: 300 × 64 KiB is under 19 MiB; the attack used to add 138 MB.
    static let allowedGrowthKiB = 64 * 1024

    static func configuration() -> String {
        """
        logLevel: error
        limits: { writeTimeout: 120s }
        sources:
          - { name: relay, provider: scanrelay, webhook: { verify: none } }

        """
    }

    /// A `scanrelay` delivery of a new scan whose event is about 6 KB: two dozen checks with long reasons.
    static func delivery(_ number: Int) -> [UInt8] {
        let checks = (0..<24).map { index in
            #"{"name":"check-\#(index)","score":\#(Double(index) / 10),"reason":"flood \#(number)/\#(index) \#(String(repeating: "x", count: 160))","url":"https://example.test/checks/\#(index)"}"#
        }
        let body = #"{"type":"scan.updated","data":{"upstreamId":"flood-\#(number)","subject":{"imageId":"image-\#(number)"},"status":"running","upstreamStatus":"running","checks":[\#(checks.joined(separator: ","))]}}"#
        return Array(body.utf8)
    }

    /// Posts `range`'s deliveries on one keep-alive connection; returns how many were accepted (2xx).
    static func publish(_ range: Range<Int>, port: Int) async throws -> Int {
        try await onOwnThread {
            let connection = try RawHTTPConnection(port: port)
            var accepted = 0
            for number in range {
                let body = delivery(number)
                let head = "POST /v1/webhooks/relay HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                try connection.send(Array(head.utf8) + body)
                let response = try connection.readResponse(method: "POST")
                if (200..<300).contains(response.status) { accepted += 1 }
            }
            return accepted
        }
    }

    static func metric(_ name: String, _ labels: [String: String] = [:], port: Int) async throws -> Double {
        try PrometheusText(try await httpRequest(port: port, "GET", "/metrics")).value(name, labels) ?? 0
    }

    @Test func neverReadingSubscribers_UnderAnEventFlood_CostBoundedMemory_AndAreDroppedAsSlow() async throws {
        let directory = try ConfigurationFixtures.TemporaryDirectory()
        let config = try directory.write("config.yaml", Self.configuration())
        let (serve, port) = try await StreamedProcess.serve(["--config", config])
        let pid = serve.processID

        // Warm-up: the first requests and events allocate what any server keeps (caches, task slabs).
        #expect(try await Self.publish(0..<50, port: port) == 50)
        var subscribers: [NeverReadingSubscriber] = []
        for _ in 0..<Self.subscribers { subscribers.append(try NeverReadingSubscriber(port: port)) }
        var open = 0.0
        for _ in 0..<400 {
            open = try await Self.metric("scanrelay_sse_subscribers", port: port)
            if open >= Double(Self.subscribers) { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(open == Double(Self.subscribers))
        let before = try residentKiB(of: pid)

        var peak = before, accepted = 0
        for first in stride(from: 50, to: 50 + Self.events, by: 100) {
            accepted += try await Self.publish(first..<first + 100, port: port)
            peak = max(peak, try residentKiB(of: pid))
        }
        try await Task.sleep(for: .milliseconds(500))
        peak = max(peak, try residentKiB(of: pid))
        #expect(accepted == Self.events)
        #expect(peak - before < Self.allowedGrowthKiB, "RSS grew from \(before / 1024) to \(peak / 1024) MiB")

        let dropped = try await Self.metric("scanrelay_sse_subscribers_dropped_total", ["reason": "slow"], port: port)
        #expect(dropped == Double(Self.subscribers))
        #expect(try await Self.metric("scanrelay_sse_subscribers", port: port) == 0)
        let opened = subscribers
        let closed = try await onOwnThread { opened.filter { $0.wasClosedByServer() }.count }
        #expect(closed == Self.subscribers)
        #expect(try await serve.stop() == 0)
    }
}
