@testable import AppState
import Foundation
import Logging
import Polling
import Providers
import ScanCore
import StateJournal
import Testing
import Webhooks

/// The state store with a `state.dir` journal, without HTTP: what is journaled comes back into a fresh cache, ledger
/// and scheduler, whether replayed record by record or from a compaction's snapshot; what could not be recorded is
/// neither served nor restored.
@Suite struct MemoryStateStoreJournalTests {
    let logger = Logger(label: "memory-state-store-tests")
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

    /// The watch with where its polling stands: the scan its polls found, and two failures in a row since.
    func watchState() -> WatchState {
        WatchState(watch: watch(), pollRef: .binarly(productId: "p", imageId: "i", scanId: "s-found"), consecutiveErrors: 2)
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

    func journaled(_ directory: String, options: JournalOptions = JournalOptions()) throws -> MemoryStateStore {
        try MemoryStateStore(cache: ScanStore(), ledger: DeliveryLedger(), directory: directory, options: options, logger: logger)
    }

    @Test(arguments: [false, true])
    func everythingJournaled_ComesBackAfterReopening(compacted: Bool) async throws {
        let directory = NSTemporaryDirectory() + "memory-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }

        let state = try journaled(directory)
        let store = state.cache
        let durable = try #require(state.journal)
        await state.resumeWatches(into: scheduler())
        _ = try await state.keepPollResult(update(1, .running), now: claimedAt)
        _ = try await state.keepPollResult(update(1, .completed), now: claimedAt)
        let accepted = try await state.acceptDelivery(key: "relay:delivery-1", updates: [update(2, .running)], now: claimedAt) { _ in }
        #expect(accepted == .accepted([.created(try #require(store.scan(id: "relay:u-2")))]))
        state.watchChanged(watchState())
        try await state.waitUntilRecorded("the test's changes")
        if compacted {
            // The snapshot reads watches from the scheduler: give it the one journaled.
            let live = scheduler()
            await live.restore([watchState()])
            await durable.resumeWatches(into: live)
            await durable.compact()
            #expect(durable.journal.statistics.compactions == 1)
        }
        await state.close()

        let restored = try journaled(directory), restoredScheduler = scheduler()
        let restoredStore = restored.cache
        await restored.resumeWatches(into: restoredScheduler)
        for id in ["relay:u-1", "relay:u-2"] {
            let scan = try #require(restoredStore.scan(id: id))
            #expect(scan == store.scan(id: id))
            #expect(scan.raw == store.scan(id: id)?.raw)
        }
        #expect(restoredStore.scan(id: "relay:u-1")?.revision == 2)
        let again = try await restored.acceptDelivery(
            key: "relay:delivery-1", updates: [update(2, .completed)], now: claimedAt.addingTimeInterval(60)) { _ in }
        #expect(again == .duplicate)
        #expect(restoredStore.scan(id: "relay:u-2")?.status == .running, "a duplicate merges nothing")
        #expect(await restoredScheduler.watch(id: "w_journaled") == watch())
        #expect(await restoredScheduler.allWatches() == [watchState()], "the found scan and the failures come back too")
        await restored.close()
    }

    @Test func aScanTooLargeForARecord_IsRefused_AndNotKept_SoItsWebhookIsNotAcknowledged() async throws {
        let directory = NSTemporaryDirectory() + "memory-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = try journaled(directory, options: JournalOptions(maxRecordBytes: 2048))
        var large = update(1, .running)
        large.raw = Array(repeating: UInt8(ascii: " "), count: 4096)
        await #expect(throws: StateError.self) { try await state.keepPollResult(large, now: claimedAt) }
        #expect(state.cache.scan(id: "relay:u-1") == nil, "a scan that could not be recorded is not served")
        let kept = try await state.keepPollResult(update(2, .running), now: claimedAt)
        #expect(try await state.keepPollResult(update(2, .running), now: claimedAt) == .unchanged(try #require(kept.scan)))
        await state.close()
    }

    /// A webhook's scan is recorded before it is applied: a failed write answers 503 and leaves nothing in memory, and
    /// once the journal writes again neither the cache nor a restart shows the scan.
    @Test func aScanWhoseWriteFails_IsNeitherServedNorRestored() async throws {
        let directory = NSTemporaryDirectory() + "memory-state-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let state = try journaled(directory, options: JournalOptions(recoveryInterval: .milliseconds(20)))
        let store = state.cache, durable = try #require(state.journal)
        await state.resumeWatches(into: scheduler())
        func deliver(_ key: String, _ update: ScanUpdate) async throws(StateError) -> DeliveryOutcome {
            try await state.acceptDelivery(key: key, updates: [update], now: claimedAt) { _ in }
        }
        _ = try await deliver("d-1", update(1, .running))
        durable.journal.failWrites(with: ENOSPC)
        await #expect(throws: StateError.self) { try await deliver("d-2", update(1, .completed)) }
        await #expect(throws: StateError.self) { try await deliver("d-3", update(2, .completed)) }
        #expect(store.scan(id: "relay:u-1")?.status == .running)
        #expect(store.scan(id: "relay:u-2") == nil)

        durable.journal.failWrites(with: nil)
        let deadline = ContinuousClock.now + .seconds(10)
        while durable.journal.health != .healthy, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
        let retried = try await deliver("d-3", update(2, .completed))
        #expect(retried != .duplicate, "a refused delivery's retry is processed, not taken for a duplicate")
        await state.close()

        let restored = try journaled(directory)
        let restoredStore = restored.cache
        #expect(restoredStore.scan(id: "relay:u-1")?.status == .running)
        #expect(restoredStore.scan(id: "relay:u-2")?.status == .completed, "the retry's scan is restored")
        await restored.close()
    }
}
