import Foundation
import Testing
@testable import ScanCore

struct ScanStoreTests {
    private func decode(_ event: Event) throws -> (type: String, scan: Scan) {
        struct Payload: Decodable { let type: String; let scan: Scan }
        let payload = try JSONDecoder().decode(Payload.self, from: Data(event.payload))
        return (payload.type, payload.scan)
    }

    @Test func firstUpdate_IsCreated_AndFoundById() {
        let store = ScanStore()
        let outcome = store.apply(.make(status: .running), now: .t(1))
        guard case .created(let scan) = outcome else { Issue.record("\(outcome)"); return }
        #expect(store.scan(id: "binarly:01SCAN") == scan)
        #expect(store.count == 1)
        #expect(store.scan(id: "binarly:other") == nil)
    }

    @Test func changes_AreReportedWithOldAndNew_AndNoChangeAsUnchanged() {
        let store = ScanStore()
        _ = store.apply(.make(status: .running, updated: .t(1)), now: .t(1))
        let changed = store.apply(.make(status: .completed, updated: .t(2)), now: .t(2))
        guard case .changed(let old, let new) = changed else { Issue.record("\(changed)"); return }
        #expect(old.revision == 1 && new.revision == 2)
        let again = store.apply(.make(status: .completed, updated: .t(2)), now: .t(3))
        #expect(again == .unchanged(new))
    }

    @Test func events_AreUpdatedThenCompleted_AndNoneForNoChange() throws {
        let store = ScanStore()
        _ = store.apply(.make(status: .queued, updated: .t(1)), now: .t(1))
        _ = store.apply(.make(status: .completed, updated: .t(2)), now: .t(2))
        _ = store.apply(.make(status: .completed, updated: .t(2)), now: .t(3))
        _ = store.apply(.make(status: .failed, updated: .t(3)), now: .t(4))
        let replay = store.events.events(after: 0)
        #expect(replay.events.map(\.type) == ["scan.updated", "scan.completed", "scan.updated"])
        #expect(replay.events.map(\.id) == [1, 2, 3])
        let (type, scan) = try decode(replay.events[1])
        #expect(type == "scan.completed")
        #expect(scan.status == .completed)
        #expect(scan.revision == 2)
    }

    @Test func eventPayloadsAndLists_LeaveOutRaw_UnlessAsked() throws {
        let store = ScanStore()
        _ = store.apply(.make(raw: #"{"secret-ish":"large"}"#), now: .t(1))
        let payload = String(decoding: store.events.events(after: 0).events[0].payload, as: UTF8.self)
        #expect(!payload.contains("secret-ish"))
        #expect(store.scan(id: "binarly:01SCAN")?.raw == Array(#"{"secret-ish":"large"}"#.utf8))
        #expect(store.scan(id: "binarly:01SCAN", includingRaw: false)?.raw == [])
        #expect(try store.list(ScanQuery()).scans.first?.raw == [])
        #expect(try store.list(ScanQuery(includeRaw: true)).scans.first?.raw == Array(#"{"secret-ish":"large"}"#.utf8))
        #expect(store.scans(imageId: "img-1").first?.raw == [])
    }

    @Test func scanCreatedTerminal_IsPublishedAsCompleted() {
        let store = ScanStore()
        _ = store.apply(.make(status: .failed), now: .t(1))
        #expect(store.events.events(after: 0).events.map(\.type) == ["scan.completed"])
    }

    @Test func scansOfAnImage_AreNewestFirst_AndFollowAChangedImageId() {
        let store = ScanStore()
        _ = store.apply(.make(upstreamId: "a", imageId: "img", created: .t(1)), now: .t(10))
        _ = store.apply(.make(upstreamId: "b", imageId: "img", created: .t(3)), now: .t(10))
        _ = store.apply(.make(upstreamId: "c", imageId: "img", created: .t(2)), now: .t(10))
        _ = store.apply(.make(upstreamId: "d", imageId: "other", created: .t(4)), now: .t(10))
        #expect(store.scans(imageId: "img").map(\.upstreamId) == ["b", "c", "a"])
        #expect(store.scans(imageId: "none").isEmpty)
        _ = store.apply(.make(upstreamId: "a", imageId: "other", created: .t(1), updated: .t(9)), now: .t(11))
        #expect(store.scans(imageId: "img").map(\.upstreamId) == ["b", "c"])
        #expect(store.scans(imageId: "other").map(\.upstreamId) == ["d", "a"])
    }

    @Test func concurrentUpdates_OfOneScan_EndInTheSameRecordAsSerialOnes() async {
        let store = ScanStore()
        var random = SplitMix64(seed: 3)
        let updates = (0..<200).map { _ in ScanUpdate.random(&random, conflictingSubjects: false) }
        await withTaskGroup(of: Void.self) { group in
            for update in updates { group.addTask { _ = store.apply(update, now: .t(100)) } }
        }
        let serial = ScanStore()
        for update in updates { _ = serial.apply(update, now: .t(100)) }
        var concurrent = store.scan(id: updates[0].scanId)
        var expected = serial.scan(id: updates[0].scanId)
        concurrent?.revision = 0
        expected?.revision = 0
        #expect(concurrent == expected)
        #expect(store.events.lastEventId == store.scan(id: updates[0].scanId)?.revision)
    }
}
