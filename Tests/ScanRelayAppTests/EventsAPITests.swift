import Foundation
import ScanCore
import TestClocks
import Testing
@testable import ScanRelayApp

@Suite("GET /v1/events (Server-Sent Events)")
struct EventsAPITests {
    @Test func stream_DeliversChanges_AsScanUpdatedThenScanCompleted() async throws {
        let app = try await RunningApp.start()
        let client = try await SSEClient.connect(port: app.port)
        #expect(client.head.status == 200)
        #expect(client.head.header("Content-Type") == "text/event-stream")
        // The first frame is written once the subscription exists: what follows is delivered live.
        #expect(try await client.next()?.retry == "2000")

        app.seed(.make("a", status: .running))
        let updated = try #require(try await client.nextEvent())
        #expect(updated.event == "scan.updated")
        #expect(updated.id == "1")
        #expect(updated.json["type"] as? String == "scan.updated")
        #expect((updated.json["scan"] as? [String: Any])?["id"] as? String == "relay:a")

        app.seed(.make("a", status: .completed, updatedAt: Date()))
        let completed = try #require(try await client.nextEvent())
        #expect(completed.event == "scan.completed")
        #expect(completed.id == "2")
        #expect((completed.json["scan"] as? [String: Any])?["status"] as? String == "completed")
        try await app.stop()
    }

    @Test func lastEventId_ResumesFromTheRing() async throws {
        let app = try await RunningApp.start()
        for name in ["a", "b", "c"] { app.seed(.make(name)) }
        let client = try await SSEClient.connect(port: app.port, lastEventId: "1")
        let second = try #require(try await client.nextEvent())
        let third = try #require(try await client.nextEvent())
        #expect([second.id, third.id] == ["2", "3"])
        #expect((third.json["scan"] as? [String: Any])?["id"] as? String == "relay:c")
        app.seed(.make("d"))
        #expect(try await client.nextEvent()?.id == "4")
        try await app.stop()
    }

    /// Pings on the app's clock, advanced by hand: each comes once its interval has passed there, not before.
    @Test func idleStream_GetsPingComments() async throws {
        let clock = TestClock()
        let app = try await RunningApp.start(clock: clock) { $0.cache.ssePingInterval = .seconds(15) }
        let client = try await SSEClient.connect(port: app.port)
        _ = try await client.next()
        for _ in 0..<2 {
            await clock.untilSleepers()
            clock.advance(by: .seconds(14))
            // Still asleep: woken by the advance, the ping loop finds its interval not yet over and sleeps again.
            await clock.untilSleepers()
            clock.advance(by: .seconds(1))
            #expect(try await client.next()?.comment == "ping")
        }
        try await app.stop()
    }

    @Test func subscribers_AreCounted_WhileConnected() async throws {
        let app = try await RunningApp.start()
        let client = try await SSEClient.connect(port: app.port)
        _ = try await client.next()
        let metrics = try PrometheusText(try await app.get("/metrics"))
        #expect(metrics.value("scanrelay_sse_subscribers") == 1)
        try await app.stop()
    }

    @Test func malformedLastEventId_Is400() async throws {
        let app = try await RunningApp.start()
        let response = try await app.get("/v1/events", headers: [("Last-Event-ID", "yesterday")])
        #expect(response.status == 400)
        try await app.stop()
    }

    @Test func shutdown_EndsTheStream() async throws {
        let app = try await RunningApp.start()
        let client = try await SSEClient.connect(port: app.port)
        _ = try await client.next()
        try await app.stop()
        #expect(try await client.nextEvent() == nil)
    }

    @Test func frames_CarryOneDataLine_EvenIfTheDataHadNewlines() {
        let frame = ServerSentEvent.frame(id: 7, event: "scan.updated", data: Array("{\"a\":\n1}".utf8))
        #expect(String(decoding: frame, as: UTF8.self) == "id: 7\nevent: scan.updated\ndata: {\"a\":1}\n\n")
    }

    @Test func frames_CopyDataWithoutLineBreaks_AsIs_AndDropACarriageReturn() {
        let json = Array(#"{"type":"scan.updated","scan":{"id":"relay:u-1","checks":[]}}"#.utf8)
        let frame = ServerSentEvent.frame(id: 8, event: "scan.updated", data: json)
        #expect(frame == Array("id: 8\nevent: scan.updated\ndata: ".utf8) + json + Array("\n\n".utf8))
        let carriageReturn = ServerSentEvent.frame(id: 9, event: "scan.updated", data: Array("{\r}".utf8))
        #expect(String(decoding: carriageReturn, as: UTF8.self) == "id: 9\nevent: scan.updated\ndata: {}\n\n")
        #expect(ServerSentEvent.frame(id: 10, event: "e", data: []) == Array("id: 10\nevent: e\ndata: \n\n".utf8))
    }
}
