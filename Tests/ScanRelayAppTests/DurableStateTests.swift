import Foundation
import Logging
import Polling
import Providers
import ScanCore
import StateJournal
import Testing
import Webhooks
@testable import ScanRelayApp

/// `DurableState` without HTTP: what is journaled comes back into a fresh cache, ledger and scheduler, whether
/// replayed record by record or from a compaction's snapshot.
@Suite struct DurableStateTests {
    let logger = Logger(label: "durable-state-tests")
    let claimedAt = Date(timeIntervalSince1970: 1_800_000_000)

    func update(_ number: Int, _ status: ScanStatus) -> ScanUpdate {
        ScanUpdate(
            source: "relay", provider: .scanrelay, upstreamId: "u-\(number)", subject: ScanSubject(imageId: "img-\(number)"),
            status: status, via: .webhook, raw: Array(#"{"number":\#(number),"status":"\#(status)"}"#.utf8))
    }

    func watch() -> Watch {
        Watch(
            id: "w_journaled", source: "binarly", ref: .binarly(productId: "p", imageId: "i", scanId: nil),
            imageSizeBytes: 1 << 30, scanStartedAt: claimedAt, state: .polling, createdAt: claimedAt,
            nextPollAt: claimedAt.addingTimeInterval(3600), polls: 7, lastError: "upstream unreachable")
    }

    /// Never called: the journaled watch is not due while a test runs.
    struct IdleClient: UpstreamClient {
        func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult { .noScanYet }
    }

    /// A scheduler with the journaled watch's source configured (a watch of a source no longer configured comes back
    /// ended: WatchSchedulerRestoreTests).
    func scheduler() -> WatchScheduler {
        WatchScheduler(
            policy: PollPolicy(), sources: ["binarly": .init(provider: .binarly, client: IdleClient())], sink: { _ in })
    }

    @Test(arguments: [false, true])
    func everythingJournaled_ComesBackAfterReopening(compacted: Bool) async throws {
        let directory = NSTemporaryDirectory() + "durable-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let store = ScanStore(), ledger = DeliveryLedger()
        let durable = try DurableState(directory: directory, store: store, ledger: ledger, logger: logger)
        await durable.resumeWatches(into: scheduler())
        _ = try store.keep(update(1, .running), journal: durable)
        _ = try store.keep(update(1, .completed), journal: durable)
        _ = try store.keep(update(2, .running), journal: durable)
        #expect(ledger.claim("relay:delivery-1", now: claimedAt) == .new)
        _ = durable.deliveryAccepted(key: "relay:delivery-1", at: claimedAt)
        durable.watchChanged(watch())
        try await durable.waitUntilDurable()
        if compacted {
            // The snapshot reads watches from the scheduler: give it the one journaled.
            let live = scheduler()
            await live.restore([watch()])
            await durable.resumeWatches(into: live)
            await durable.compact()
            #expect(durable.journal.statistics.compactions == 1)
        }
        await durable.close()

        let restoredStore = ScanStore(), restoredLedger = DeliveryLedger(), restoredScheduler = scheduler()
        let restored = try DurableState(
            directory: directory, store: restoredStore, ledger: restoredLedger, logger: logger)
        await restored.resumeWatches(into: restoredScheduler)
        for id in ["relay:u-1", "relay:u-2"] {
            let scan = try #require(restoredStore.scan(id: id))
            #expect(scan == store.scan(id: id))
            #expect(scan.raw == store.scan(id: id)?.raw)
        }
        #expect(restoredStore.scan(id: "relay:u-1")?.revision == 2)
        #expect(restoredLedger.claim("relay:delivery-1", now: claimedAt.addingTimeInterval(60)) == .duplicate)
        #expect(await restoredScheduler.watch(id: "w_journaled") == watch())
        await restored.close()
    }

    @Test func aScanTooLargeForARecord_IsRefused_AndNotKept_SoItsWebhookIsNotAcknowledged() async throws {
        let directory = NSTemporaryDirectory() + "durable-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ScanStore()
        let durable = try DurableState(
            directory: directory, store: store, ledger: DeliveryLedger(), logger: logger,
            options: JournalOptions(maxRecordBytes: 2048))
        var large = update(1, .running)
        large.raw = Array(repeating: UInt8(ascii: " "), count: 4096)
        #expect(throws: APIError.self) { try store.keep(large, journal: durable) }
        #expect(store.scan(id: "relay:u-1") == nil, "a scan that could not be recorded is not served")
        let kept = try store.keep(update(2, .running), journal: durable)
        #expect(try store.keep(update(2, .running), journal: durable) == .unchanged(try #require(kept.scan)))
        await durable.close()
    }

    /// A webhook's scan is recorded before it is applied: a failed write answers 503 and leaves nothing in memory, and
    /// once the journal writes again neither the cache nor a restart shows the scan.
    @Test func aScanWhoseWriteFails_IsNeitherServedNorRestored() async throws {
        let directory = NSTemporaryDirectory() + "durable-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let store = ScanStore()
        let durable = try DurableState(
            directory: directory, store: store, ledger: DeliveryLedger(), logger: logger,
            options: JournalOptions(recoveryInterval: .milliseconds(20)))
        await durable.resumeWatches(into: scheduler())
        _ = try await store.keepDurably(update(1, .running), journal: durable)
        durable.journal.failWrites(with: ENOSPC)
        await #expect(throws: APIError.self) { try await store.keepDurably(update(1, .completed), journal: durable) }
        await #expect(throws: APIError.self) { try await store.keepDurably(update(2, .completed), journal: durable) }
        #expect(store.scan(id: "relay:u-1")?.status == .running)
        #expect(store.scan(id: "relay:u-2") == nil)

        durable.journal.failWrites(with: nil)
        let deadline = ContinuousClock.now + .seconds(10)
        while durable.journal.health != .healthy, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        _ = try await store.keepDurably(update(3, .completed), journal: durable)
        await durable.close()

        let restoredStore = ScanStore()
        let restored = try DurableState(directory: directory, store: restoredStore, ledger: DeliveryLedger(), logger: logger)
        #expect(restoredStore.scan(id: "relay:u-1")?.status == .running)
        #expect(restoredStore.scan(id: "relay:u-2") == nil)
        #expect(restoredStore.scan(id: "relay:u-3")?.status == .completed)
        await restored.close()
    }
}
