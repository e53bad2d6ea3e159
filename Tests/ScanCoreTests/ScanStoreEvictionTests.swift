import Foundation
import Testing
@testable import ScanCore

struct ScanStoreEvictionTests {
    private func ids(_ store: ScanStore) throws -> Set<String> {
        Set(try store.list(ScanQuery(limit: 1000)).scans.map(\.upstreamId))
    }

    @Test func fullStore_EvictsTheTerminalScanThatChangedLongestAgo() throws {
        let store = ScanStore(configuration: .init(maxScans: 3))
        _ = store.apply(.make(upstreamId: "running", status: .running), now: .t(1))
        _ = store.apply(.make(upstreamId: "done-early", status: .completed), now: .t(2))
        _ = store.apply(.make(upstreamId: "done-late", status: .failed), now: .t(3))
        #expect(store.apply(.make(upstreamId: "new1"), now: .t(4)).scan != nil)
        #expect(try ids(store) == ["running", "done-late", "new1"])
        #expect(store.scan(id: "binarly:done-early") == nil)
        _ = store.apply(.make(upstreamId: "new2"), now: .t(5))
        #expect(try ids(store) == ["running", "new1", "new2"])
        #expect(store.count == 3)
    }

    @Test func aTerminalScanChangedAgain_IsEvictedAfterOnesThatDidNot() throws {
        let store = ScanStore(configuration: .init(maxScans: 2))
        _ = store.apply(.make(upstreamId: "a", status: .completed, updated: .t(1)), now: .t(1))
        _ = store.apply(.make(upstreamId: "b", status: .completed, updated: .t(1)), now: .t(2))
        _ = store.apply(.make(upstreamId: "a", status: .completed, updated: .t(2)), now: .t(3))
        _ = store.apply(.make(upstreamId: "c"), now: .t(4))
        #expect(try ids(store) == ["a", "c"])
    }

    @Test func aScanTurningTerminal_BecomesEvictableFromThen() throws {
        let store = ScanStore(configuration: .init(maxScans: 2))
        _ = store.apply(.make(upstreamId: "a", status: .running, updated: .t(1)), now: .t(1))
        _ = store.apply(.make(upstreamId: "b", status: .completed, updated: .t(1)), now: .t(2))
        _ = store.apply(.make(upstreamId: "a", status: .completed, updated: .t(2)), now: .t(3))
        _ = store.apply(.make(upstreamId: "c"), now: .t(4))
        #expect(try ids(store) == ["a", "c"])
    }

    @Test func whenEveryScanIsInProgress_ANewScanIsRefused_ButUpdatesStillApply() throws {
        let store = ScanStore(configuration: .init(maxScans: 2))
        _ = store.apply(.make(upstreamId: "a", status: .queued), now: .t(1))
        _ = store.apply(.make(upstreamId: "b", status: .running), now: .t(2))
        #expect(store.apply(.make(upstreamId: "c"), now: .t(3)) == .refused)
        #expect(store.events.lastEventId == 2)
        let update = store.apply(.make(upstreamId: "a", status: .completed, updated: .t(3)), now: .t(4))
        #expect(update.scan?.status == .completed)
        #expect(store.apply(.make(upstreamId: "c"), now: .t(5)).scan != nil)
        #expect(try ids(store) == ["b", "c"])
    }

    @Test func aFullStoreOfInProgressScans_EvictsTheOneUnchangedLongest_OnceItIsStale() throws {
        let store = ScanStore(configuration: .init(maxScans: 2, staleAfter: .seconds(100)))
        _ = store.apply(.make(upstreamId: "abandoned", status: .running, updated: .t(1)), now: .t(1))
        _ = store.apply(.make(upstreamId: "active", status: .queued), now: .t(2))
        _ = store.apply(.make(upstreamId: "abandoned", status: .running, updated: .t(1)), now: .t(50))
        // A re-delivery of the same state is no change: "abandoned" still last changed at t(1).
        #expect(store.scan(id: "binarly:abandoned")?.updatedAt == .t(1))

        #expect(store.apply(.make(upstreamId: "early"), now: .t(100)) == .refused)
        #expect(store.apply(.make(upstreamId: "new", status: .running), now: .t(101)).scan != nil)
        #expect(try ids(store) == ["active", "new"])
        #expect(store.apply(.make(upstreamId: "newer"), now: .t(101)) == .refused)
    }

    @Test func staleInProgressScans_GoOnlyAfterEveryTerminalOne() throws {
        let store = ScanStore(configuration: .init(maxScans: 3, staleAfter: .seconds(10)))
        _ = store.apply(.make(upstreamId: "stale", status: .running), now: .t(1))
        _ = store.apply(.make(upstreamId: "done1", status: .completed), now: .t(50))
        _ = store.apply(.make(upstreamId: "done2", status: .failed), now: .t(60))
        _ = store.apply(.make(upstreamId: "n1"), now: .t(100))
        _ = store.apply(.make(upstreamId: "n2"), now: .t(101))
        #expect(try ids(store) == ["stale", "n1", "n2"])
        _ = store.apply(.make(upstreamId: "n3"), now: .t(102))
        #expect(try ids(store) == ["n1", "n2", "n3"])
    }

    @Test func anInProgressScanThatChanges_IsFreshAgain() throws {
        let store = ScanStore(configuration: .init(maxScans: 2, staleAfter: .seconds(10)))
        _ = store.apply(.make(upstreamId: "a", status: .queued), now: .t(1))
        _ = store.apply(.make(upstreamId: "b", status: .queued), now: .t(2))
        _ = store.apply(.make(upstreamId: "a", status: .running, updated: .t(20)), now: .t(20))
        _ = store.apply(.make(upstreamId: "c"), now: .t(25))
        #expect(try ids(store) == ["a", "c"])
        #expect(store.apply(.make(upstreamId: "d"), now: .t(26)) == .refused)
    }

    @Test func evictingAStaleScan_EndsItsLongPolls() async throws {
        let store = ScanStore(configuration: .init(maxScans: 1, staleAfter: .seconds(1)))
        _ = store.apply(.make(upstreamId: "a", status: .running), now: .t(1))
        async let outcome = store.waitForChange(id: "binarly:a", from: 1, timeout: .seconds(30))
        while store.parkedWaiterCount == 0 { await Task.yield() }
        _ = store.apply(.make(upstreamId: "b"), now: .t(5))
        #expect(await outcome == .notFound)
    }

    @Test func evictedScans_LeaveEveryIndex() throws {
        let store = ScanStore(configuration: .init(maxScans: 1))
        _ = store.apply(.make(upstreamId: "a", imageId: "img", status: .completed), now: .t(1))
        _ = store.apply(.make(upstreamId: "b", imageId: "other"), now: .t(2))
        #expect(store.scans(imageId: "img").isEmpty)
        #expect(try store.list(ScanQuery(imageId: "img")).scans.isEmpty)
        #expect(try ids(store) == ["b"])
    }

    @Test func aLongRunAtCapacity_KeepsTheBoundAndTheNewestScans() throws {
        let store = ScanStore(configuration: .init(maxScans: 100))
        for index in 0..<5000 {
            let outcome = store.apply(.make(upstreamId: "\(index)", status: .completed, created: .t(Double(index))), now: .t(Double(index)))
            #expect(outcome.scan != nil)
        }
        #expect(store.count == 100)
        let listed = try store.list(ScanQuery(limit: 1000)).scans.map(\.upstreamId)
        #expect(listed == (4900..<5000).reversed().map(String.init))
    }
}
