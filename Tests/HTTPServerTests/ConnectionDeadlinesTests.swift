@testable import HTTPServer
import Testing

/// An instant the tests move by hand: the state machine never reads a clock.
struct ManualInstant: InstantProtocol {
    var offset: Duration
    static func seconds(_ value: Double) -> ManualInstant { ManualInstant(offset: .milliseconds(Int64(value * 1000))) }
    func advanced(by duration: Duration) -> ManualInstant { ManualInstant(offset: offset + duration) }
    func duration(to other: ManualInstant) -> Duration { other.offset - offset }
    static func < (lhs: ManualInstant, rhs: ManualInstant) -> Bool { lhs.offset < rhs.offset }
}

@Suite struct ConnectionDeadlinesTests {
    typealias Deadlines = ConnectionDeadlines<ManualInstant>
    let timeouts = ConnectionTimeouts(header: .seconds(10), body: .seconds(5), idle: .seconds(60), write: .seconds(30), linger: .seconds(2))

    func accepted() -> Deadlines { Deadlines(timeouts: timeouts, acceptedAt: .seconds(0)) }

    @Test func aConnectionThatSendsNothing_IsClosedAtTheHeaderTimeout_WithoutAnAnswer() {
        let deadlines = accepted()
        #expect(deadlines.expiry(at: .seconds(9.9)) == nil)
        #expect(deadlines.expiry(at: .seconds(10)) == .header(bytesReceived: false))
    }

    @Test func theHeaderTimeoutRunsFromTheAccept_NotFromTheFirstByte_ForTheFirstRequest() {
        var deadlines = accepted()
        deadlines.bytesReceived(.head, now: .seconds(8))
        #expect(deadlines.expiry(at: .seconds(10)) == .header(bytesReceived: true))
    }

    @Test func tricklingBytes_DoesNotExtendTheHeaderTimeout() {
        var deadlines = accepted()
        for second in 1...9 { deadlines.bytesReceived(.head, now: .seconds(Double(second))) }
        #expect(deadlines.expiry(at: .seconds(10)) == .header(bytesReceived: true))
    }

    @Test func aBusyConnection_HasNoReadDeadline_SoALongPollCanTakeMinutes() {
        var deadlines = accepted()
        deadlines.bytesReceived(.busy, now: .seconds(1))
        #expect(deadlines.expiry(at: .seconds(3600)) == nil)
    }

    @Test func betweenRequests_TheIdleTimeoutRuns_FromTheEndOfTheResponse() {
        var deadlines = accepted()
        deadlines.bytesReceived(.busy, now: .seconds(1))
        deadlines.readingChanged(to: .awaitingRequest, now: .seconds(2))
        #expect(deadlines.expiry(at: .seconds(61.9)) == nil)
        #expect(deadlines.expiry(at: .seconds(62)) == .idle)
    }

    @Test func theNextRequestsHeaderTimeout_RunsFromItsFirstByte() {
        var deadlines = accepted()
        deadlines.bytesReceived(.busy, now: .seconds(1))
        deadlines.readingChanged(to: .awaitingRequest, now: .seconds(2))
        deadlines.bytesReceived(.head, now: .seconds(50))
        #expect(deadlines.expiry(at: .seconds(59.9)) == nil)
        #expect(deadlines.expiry(at: .seconds(60)) == .header(bytesReceived: true))
    }

    @Test func bodyBytes_RestartTheBodyTimeout_EachTime() {
        var deadlines = accepted()
        deadlines.bytesReceived(.body, now: .seconds(1))
        deadlines.bytesReceived(.body, now: .seconds(5))
        #expect(deadlines.expiry(at: .seconds(9.9)) == nil)
        #expect(deadlines.expiry(at: .seconds(10)) == .body)
    }

    @Test func pendingOutputWithoutProgress_ExpiresTheWriteTimeout_EvenWhileBusy() {
        var deadlines = accepted()
        deadlines.bytesReceived(.busy, now: .seconds(1))
        deadlines.wrote(progress: true, pending: true, now: .seconds(2))
        deadlines.wrote(progress: false, pending: true, now: .seconds(20))
        #expect(deadlines.expiry(at: .seconds(31.9)) == nil)
        #expect(deadlines.expiry(at: .seconds(32)) == .write)
    }

    @Test func writeProgress_RestartsTheWriteTimeout_AndNoPendingOutputClearsIt() {
        var deadlines = accepted()
        deadlines.bytesReceived(.busy, now: .seconds(1))
        deadlines.wrote(progress: true, pending: true, now: .seconds(2))
        deadlines.wrote(progress: true, pending: true, now: .seconds(30))
        #expect(deadlines.expiry(at: .seconds(59)) == nil)
        deadlines.wrote(progress: true, pending: false, now: .seconds(40))
        #expect(deadlines.expiry(at: .seconds(1000)) == nil)
    }

    @Test func aLingeringConnection_IsClosedAfterTheLingerTime() {
        var deadlines = accepted()
        deadlines.readingChanged(to: .lingering, now: .seconds(3))
        #expect(deadlines.expiry(at: .seconds(4.9)) == nil)
        #expect(deadlines.expiry(at: .seconds(5)) == .linger)
    }

    @Test func aStalledWrite_WinsOverAnExpiredReadDeadline() {
        var deadlines = accepted()
        deadlines.wrote(progress: false, pending: true, now: .seconds(0))
        #expect(deadlines.expiry(at: .seconds(40)) == .write)
    }
}
