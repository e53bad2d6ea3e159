@testable import AppState
import Foundation
import Polling
import Providers
import StateJournal
import Testing

/// The journal's watch records: what a restart needs to continue a watch, read back from records of this version and
/// of the one before it, which kept the watch alone.
@Suite struct DurableRecordTests {
    let startedAt = Date(timeIntervalSinceReferenceDate: 786_000_000.123_456)

    func state() -> WatchState {
        let watch = Watch(
            id: "w_1", source: "binarly", ref: .binarly(productId: "p", imageId: "i", scanId: nil),
            imageSizeBytes: 1 << 30, scanStartedAt: startedAt, state: .polling, createdAt: startedAt,
            nextPollAt: startedAt.addingTimeInterval(90.25), polls: 3, lastError: "upstream answered 503")
        return WatchState(watch: watch, pollRef: .binarly(productId: "p", imageId: "i", scanId: "s-found"), consecutiveErrors: 2)
    }

    @Test func aWatchRecord_ComesBackWithItsResolvedRefAndFailures_ToTheMicrosecond() throws {
        let record = try DurableRecord.watch(state()).encoded()
        guard case .watch(let read) = try DurableRecord(record) else {
            Issue.record("not read back as a watch")
            return
        }
        #expect(read == state())
        #expect(read.watch.nextPollAt == startedAt.addingTimeInterval(90.25))
    }

    @Test func aWatchRecordOfTheVersionBefore_PollsItsOwnRefWithAFreshBackoff() throws {
        let current = try DurableRecord.watch(state()).encoded()
        var payload = try #require(try JSONSerialization.jsonObject(with: Data(current.payload)) as? [String: Any])
        payload["pollRef"] = nil
        payload["consecutiveErrors"] = nil
        let older = JournalRecord(kind: current.kind, payload: Array(try JSONSerialization.data(withJSONObject: payload)))
        guard case .watch(let read) = try DurableRecord(older) else {
            Issue.record("not read back as a watch")
            return
        }
        #expect(read.watch == state().watch)
        #expect(read.pollRef == state().watch.ref)
        #expect(read.consecutiveErrors == 0)
    }
}
