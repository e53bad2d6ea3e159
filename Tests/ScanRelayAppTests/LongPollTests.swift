import Foundation
import ScanCore
import TestClocks
import Testing
@testable import ScanRelayApp

@Suite("GET /v1/scans/{id}?wait= long-polls")
struct LongPollTests {
    /// Returns once `count` long-polls are parked in the store: the event the tests wait for before changing a scan.
    static func waitForWaiters(_ app: RunningApp, count: Int = 1) async throws {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .seconds(10))
        while app.app.store.waiterCount < count {
            guard clock.now < deadline else { throw CancellationError() }
            await Task.yield()
            try await Task.sleep(for: .milliseconds(2))
        }
    }

    @Test func waitingRequest_IsAnsweredByTheNextUpdate() async throws {
        let app = try await RunningApp.start()
        app.seed(.make("a", status: .running))
        async let response = app.get("/v1/scans/relay:a?wait=20s")
        try await Self.waitForWaiters(app)
        app.seed(.make("a", status: .completed, updatedAt: Date()))
        let answer = try await response
        #expect(answer.status == 200)
        #expect(answer.json["status"] as? String == "completed")
        #expect(answer.header("ETag") == "\"2\"")
        try await app.stop()
    }

    @Test func waitingRequest_WithIfNoneMatch_IsAnsweredByTheNextUpdate() async throws {
        let app = try await RunningApp.start()
        app.seed(.make("a", status: .queued))
        async let response = app.get("/v1/scans/relay:a?wait=20s", headers: [("If-None-Match", "\"1\"")])
        try await Self.waitForWaiters(app)
        app.seed(.make("a", status: .running, updatedAt: Date()))
        let answer = try await response
        #expect(answer.status == 200)
        #expect(answer.json["revision"] as? Int == 2)
        try await app.stop()
    }

    /// The deadline measured on the app's clock, advanced by hand: a 5-minute wait without waiting 5 minutes.
    @Test func deadline_WithoutChange_Answers200_OrWith304WhenTheClientHoldsTheETag() async throws {
        let clock = TestClock()
        let app = try await RunningApp.start(clock: clock)
        app.seed(.make("a", status: .running))

        async let plain = app.get("/v1/scans/relay:a?wait=300s")
        await clock.untilSleepers()
        clock.advance(by: .seconds(299))
        await clock.untilSleepers()
        #expect(app.app.store.waiterCount == 1)
        clock.advance(by: .seconds(1))
        let plainAnswer = try await plain
        #expect(plainAnswer.status == 200)
        #expect(plainAnswer.json["revision"] as? Int == 1)

        async let conditional = app.get("/v1/scans/relay:a?wait=300s", headers: [("If-None-Match", "\"1\"")])
        await clock.untilSleepers()
        clock.advance(by: .seconds(300))
        #expect(try await conditional.status == 304)
        #expect(app.app.store.waiterCount == 0)
        try await app.stop()
    }

    /// The same end to end in real time, on the continuous clock the server runs with.
    @Test func deadline_InRealTime_Answers304WhenTheClientHoldsTheETag() async throws {
        let app = try await RunningApp.start()
        app.seed(.make("a", status: .running))
        let clock = ContinuousClock()
        let start = clock.now
        let conditional = try await app.get("/v1/scans/relay:a?wait=150ms", headers: [("If-None-Match", "\"1\"")])
        #expect(conditional.status == 304)
        #expect(start.duration(to: clock.now) >= .milliseconds(150))
        try await app.stop()
    }

    @Test func terminalScan_WhoseETagTheClientHolds_Is304AtOnce() async throws {
        let app = try await RunningApp.start()
        app.seed(.make("done", status: .completed, updatedAt: Date()))
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await app.get("/v1/scans/relay:done?wait=300s", headers: [("If-None-Match", "\"1\"")])
        #expect(response.status == 304)
        let withoutETag = try await app.get("/v1/scans/relay:done?wait=300s")
        #expect(withoutETag.status == 200)
        #expect(start.duration(to: clock.now) < .seconds(30))
        try await app.stop()
    }

    @Test func staleIfNoneMatch_IsAnswered200AtOnce() async throws {
        let app = try await RunningApp.start()
        app.seed(.make("a", status: .queued))
        app.seed(.make("a", status: .running, updatedAt: Date()))
        let clock = ContinuousClock()
        let start = clock.now
        let response = try await app.get("/v1/scans/relay:a?wait=300s", headers: [("If-None-Match", "\"1\"")])
        #expect(response.status == 200)
        #expect(response.json["revision"] as? Int == 2)
        #expect(start.duration(to: clock.now) < .seconds(30))
        try await app.stop()
    }

    @Test(arguments: ["wait=soon", "wait=10", "wait=1d", "wait=-1s", "wait=1.5s"])
    func malformedWait_Is400(query: String) async throws {
        let app = try await RunningApp.start()
        app.seed(.make("a"))
        let response = try await app.get("/v1/scans/relay:a?\(query)")
        #expect(response.status == 400)
        #expect(response.json["field"] as? String == "wait")
        try await app.stop()
    }

    @Test func shutdown_AnswersAHeldLongPoll_InsteadOfCuttingIt() async throws {
        let app = try await RunningApp.start()
        app.seed(.make("a", status: .running))
        async let response = app.get("/v1/scans/relay:a?wait=300s")
        try await Self.waitForWaiters(app)
        try await app.stop()
        let answer = try await response
        #expect(answer.status == 200)
        #expect(answer.json["id"] as? String == "relay:a")
    }

    @Test func waitDuration_IsParsedAndCappedAt300Seconds() {
        #expect(WaitDuration.parse("250ms") == .milliseconds(250))
        #expect(WaitDuration.parse("30s") == .seconds(30))
        #expect(WaitDuration.parse("2m") == .seconds(120))
        #expect(WaitDuration.parse("1h") == .seconds(300))
        #expect(WaitDuration.parse("30") == nil)
        #expect(WaitDuration.parse("1d") == nil)
        #expect(WaitDuration.parse("1234567890s") == nil)
        #expect(WaitDuration.parse("+5s") == nil)
    }
}
