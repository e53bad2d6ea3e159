import Foundation
import Testing
@testable import ScanCore

/// What a replica's cache and event ring do with changes made elsewhere (read back from a shared store): events keep
/// the store's ids, scans are installed only when newer, long-polls wake, nothing is published twice.
struct SharedStoreFeedTests {
    func event(_ id: UInt64) -> Event { Event(id: id, type: "scan.updated", payload: Array("\(id)".utf8)) }

    @Test func appendedEvents_KeepTheirIds_AndOldOnesAreIgnored() {
        let log = EventLog(capacity: 4)
        #expect(log.startNumbering(after: 41))
        #expect(log.append(event(42)))
        #expect(log.append(event(43)))
        #expect(!log.append(event(43)), "already here")
        #expect(log.events(after: 41).events.map(\.id) == [42, 43])
        #expect(log.lastEventId == 43)
    }

    @Test func aGapInTheIds_StartsTheRingAgain_AndAReplayBeforeItSaysEventsWereMissed() {
        let log = EventLog(capacity: 4)
        log.append(event(1))
        log.append(event(2))
        #expect(log.append(event(9)))
        #expect(log.events(after: 2) == EventReplay(events: [event(9)], missedEvents: true))
        #expect(log.events(after: 8) == EventReplay(events: [event(9)], missedEvents: false))
    }

    @Test func anInstalledScan_IsServed_OnlyWhenNewer_AndPublishesNothing() throws {
        let store = ScanStore()
        var scan = Scan.make()
        #expect(store.install(scan))
        #expect(store.scan(id: scan.id) == scan)
        #expect(!store.install(scan), "the same revision is not installed again")
        var older = scan
        older.revision -= 1
        #expect(!store.install(older))
        scan.revision += 1
        scan.status = .failed
        #expect(store.install(scan))
        #expect(store.scan(id: scan.id)?.status == .failed)
        #expect(store.events.lastEventId == 0)
        #expect(try store.list(ScanQuery()).scans.map(\.id) == [scan.id])
    }

    @Test func anInstalledScan_WakesALongPoll() async {
        let store = ScanStore()
        var scan = Scan.make(status: .running)
        store.install(scan)
        let id = scan.id, revision = scan.revision
        async let outcome = store.waitForChange(id: id, from: revision, timeout: .seconds(30))
        while store.waiterCount == 0 { await Task.yield() }
        scan.revision += 1
        scan.status = .completed
        store.install(scan)
        #expect(await outcome == .scan(scan))
    }

    @Test func theChangeEventRule_IsTheStoresOwn() {
        let store = ScanStore()
        _ = store.apply(.make(status: .running), now: .t(0))
        _ = store.apply(.make(status: .completed, updated: .t(5)), now: .t(5))
        let published = store.events.events(after: 0).events.map(\.type)
        #expect(published == ["scan.updated", "scan.completed"])
        let created = Scan.make(status: .completed)
        #expect(ScanChangeEvent(.created(created))?.type == "scan.completed")
        #expect(ScanChangeEvent(.unchanged(created)) == nil)
    }
}
