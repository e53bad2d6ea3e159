import Foundation
import Testing
@testable import ScanCore

struct ScanListOrderTests {
    private func record(_ id: Int, created: Double) -> ScanRecord {
        ScanRecord(PackedScan(ScanMerge.makeScan(.make(upstreamId: String(format: "%06d", id), created: .t(created)), now: .t(0))))
    }

    private func walked(_ order: ScanListOrder, below key: ScanSortKey? = nil) -> [String] {
        var ids: [String] = []
        order.walkDown(below: key) { entry in
            if entry.isLive { ids.append(entry.record.id) }
            return true
        }
        return ids
    }

    /// Keys newest first, as the list order has them.
    private func expected(_ records: [ScanRecord]) -> [String] {
        records.compactMap { record in record.packed.map { ScanSortKey(createdAt: $0.createdAt, id: record.id) } }
            .sorted(by: >).map(\.id)
    }

    @Test func insertsInAnyOrder_AcrossManyChunks_WalkNewestFirst() {
        var generator = SystemRandomNumberGenerator()
        var order = ScanListOrder()
        // Five chunks' worth, with many equal createdAt values so ties fall to the id.
        let records = (0..<(5 * ScanListOrder.maxChunk)).map { record($0, created: Double(Int.random(in: 0..<300, using: &generator))) }
        for record in records.shuffled(using: &generator) { order.insert(record) }
        #expect(order.count == records.count)
        #expect(walked(order) == expected(records))
    }

    @Test func aWalkBelowAKey_StartsJustUnderIt_WhereverItFalls() {
        var order = ScanListOrder()
        let records = (0..<(3 * ScanListOrder.maxChunk)).map { record($0, created: Double($0 / 7)) }
        for record in records.reversed() { order.insert(record) }
        let all = expected(records)
        for position in [0, 1, ScanListOrder.maxChunk / 2, ScanListOrder.maxChunk, all.count - 1] {
            let key = ScanSortKey(createdAt: .t(Double((all.count - 1 - position) / 7)), id: all[position])
            #expect(walked(order, below: key) == Array(all[(position + 1)...]))
        }
        // Above everything, the walk starts at the newest; below everything, it visits nothing.
        #expect(walked(order, below: ScanSortKey(createdAt: .t(1e6), id: "")) == all)
        #expect(walked(order, below: ScanSortKey(createdAt: .t(-1), id: "")).isEmpty)
    }

    @Test func insertingARecordAgainAtTheSamePlace_IsIgnored() {
        var order = ScanListOrder()
        let records = (0..<(2 * ScanListOrder.maxChunk)).map { record($0, created: Double($0)) }
        for record in records { order.insert(record) }
        for record in records.prefix(10) { order.insert(record) }
        #expect(order.count == records.count)
    }

    @Test func compaction_DropsStaleEntries_AndKeepsTheOrder() {
        var order = ScanListOrder()
        let records = (0..<(4 * ScanListOrder.maxChunk)).map { record($0, created: Double($0 % 100)) }
        for record in records { order.insert(record) }
        for record in records where Int(record.id.dropFirst("binarly:".count))! % 3 != 0 {
            record.evict()
            order.noteStale()
        }
        #expect(order.count < records.count)  // compacted at least once
        #expect(walked(order) == expected(records))
        order.insert(record(999_999, created: 50))
        #expect(walked(order) == expected(records + [record(999_999, created: 50)]))
    }
}
