import Foundation
import Testing
@testable import ScanCore

struct ScanStoreRestoreTests {
    @Test func restoredScans_KeepRevisionAndTimes_AndPublishNothing() throws {
        let original = ScanStore()
        _ = original.apply(.make(upstreamId: "a", status: .running, updated: .t(1), raw: "{}"), now: .t(10))
        _ = original.apply(.make(upstreamId: "a", status: .completed, updated: .t(2), raw: "[]"), now: .t(20))
        _ = original.apply(.make(upstreamId: "b", created: .t(5)), now: .t(30))
        let snapshot = original.allScans()
        #expect(snapshot.count == 2)

        let restored = ScanStore()
        restored.restore(snapshot)
        #expect(restored.events.lastEventId == 0)
        #expect(restored.scan(id: "binarly:a") == original.scan(id: "binarly:a"))
        #expect(restored.scan(id: "binarly:a")?.revision == 2)
        #expect(restored.scan(id: "binarly:a")?.raw == Array("[]".utf8))
        #expect(try restored.list(ScanQuery()).scans == original.list(ScanQuery()).scans)
    }

    @Test func restore_KeepsScansAlreadyCached_AndStopsAtTheBound() {
        let store = ScanStore(configuration: .init(maxScans: 2))
        _ = store.apply(.make(upstreamId: "a", status: .running, updated: .t(9)), now: .t(10))
        let stale = ScanMerge.makeScan(.make(upstreamId: "a", status: .queued), now: .t(1))
        let others = (0..<3).map { ScanMerge.makeScan(.make(upstreamId: "n\($0)"), now: .t(2)) }
        store.restore([stale] + others)
        #expect(store.scan(id: "binarly:a")?.status == .running)
        #expect(store.count == 2)
        #expect(store.scan(id: "binarly:n0") != nil)
    }

    @Test func restoredScans_AreEvictedInTheOrderTheyLastChanged_WhateverOrderTheyCameIn() throws {
        let store = ScanStore(configuration: .init(maxScans: 4, staleAfter: .seconds(10)))
        store.restore([  // newest first, as the state journal passes them
            ScanMerge.makeScan(.make(upstreamId: "done-late", status: .completed), now: .t(30)),
            ScanMerge.makeScan(.make(upstreamId: "running-late", status: .running), now: .t(20)),
            ScanMerge.makeScan(.make(upstreamId: "done-early", status: .completed), now: .t(10)),
            ScanMerge.makeScan(.make(upstreamId: "running-early", status: .running), now: .t(1)),
        ])
        var evicted: [String] = []
        for index in 1...4 {
            let before = Set(try store.list(ScanQuery()).scans.map(\.upstreamId))
            _ = store.apply(.make(upstreamId: "new\(index)"), now: .t(100))
            evicted += before.subtracting(try store.list(ScanQuery()).scans.map(\.upstreamId))
        }
        #expect(evicted == ["done-early", "done-late", "running-early", "running-late"])
    }
}
