import Foundation
import Locking
import TestClocks
import Testing
@testable import ScanCore

struct ScanStoreWaitingTests {
    private let id = "binarly:01SCAN"

    private func storeWithRunningScan(maxWaiters: Int = 10) -> ScanStore {
        let store = ScanStore(configuration: .init(maxWaiters: maxWaiters))
        _ = store.apply(.make(status: .running, updated: .t(1)), now: .t(1))
        return store
    }

    /// Returns once `count` long-polls are parked on the store (awaited, not slept for).
    private func untilParked(_ store: ScanStore, count: Int = 1) async {
        while store.parkedWaiterCount < count { await Task.yield() }
    }

    @Test func waitIsWokenByAnUpdate() async {
        let store = storeWithRunningScan()
        async let outcome = store.waitForChange(id: id, from: 1, timeout: .seconds(60))
        await untilParked(store)
        _ = store.apply(.make(status: .running, updated: .t(2), findings: Findings(low: 1)), now: .t(2))
        guard case .scan(let scan) = await outcome else { Issue.record("not a scan"); return }
        #expect(scan.revision == 2)
        #expect(store.waiterCount == 0)
    }

    @Test func waitIsWokenWhenTheScanTurnsTerminal() async {
        let store = storeWithRunningScan()
        async let outcome = store.waitForChange(id: id, from: 1, timeout: .seconds(60))
        await untilParked(store)
        _ = store.apply(.make(status: .completed, updated: .t(2)), now: .t(2))
        #expect(await outcome == .scan(store.scan(id: id)!))
    }

    @Test func waitTimesOut_WithTheUnchangedScan() async {
        let store = storeWithRunningScan()
        let clock = TestClock()
        async let outcome = store.waitForChange(id: id, from: 1, timeout: .seconds(20), clock: clock)
        await clock.untilSleepers()
        clock.advance(by: .seconds(19))
        await clock.untilSleepers()
        #expect(store.parkedWaiterCount == 1)
        clock.advance(by: .seconds(1))
        #expect(await outcome == .scan(store.scan(id: id)!))
        #expect(store.waiterCount == 0)
        #expect(store.parkedWaiterCount == 0)
    }

    @Test func aNoChangeUpdate_DoesNotEndTheWait() async {
        let store = storeWithRunningScan()
        let clock = TestClock()
        async let outcome = store.waitForChange(id: id, from: 1, timeout: .seconds(1), clock: clock)
        await clock.untilSleepers()
        _ = store.apply(.make(status: .running, updated: .t(1)), now: .t(5))
        #expect(store.parkedWaiterCount == 1)
        clock.advance(by: .seconds(1))
        guard case .scan(let scan) = await outcome else { Issue.record("not a scan"); return }
        #expect(scan.revision == 1)
    }

    @Test func theLatch_EndsTheWait_WithTheScanAsItIs() async {
        let store = storeWithRunningScan()
        let shutdown = Latch()
        async let outcome = store.waitForChange(id: id, from: 1, timeout: .seconds(600), endingOn: shutdown)
        await untilParked(store)
        shutdown.fire()
        #expect(await outcome == .scan(store.scan(id: id)!))
        #expect(store.waiterCount == 0)
        #expect(shutdown.waiterCount == 0)
    }

    @Test func waitReturnsAtOnce_ForAnotherRevision_ATerminalScan_OrAnUnknownId() async {
        let store = storeWithRunningScan()
        #expect(await store.waitForChange(id: id, from: 7, timeout: .seconds(60)) == .scan(store.scan(id: id)!))
        #expect(await store.waitForChange(id: "binarly:none", from: 1, timeout: .seconds(60)) == .notFound)
        _ = store.apply(.make(status: .failed, updated: .t(2)), now: .t(2))
        #expect(await store.waitForChange(id: id, from: 2, timeout: .seconds(60)) == .scan(store.scan(id: id)!))
    }

    @Test func cancellingAWaiter_EndsItAndLeavesNothingBehind() async {
        let store = storeWithRunningScan()
        let waiter = Task { await store.waitForChange(id: id, from: 1, timeout: .seconds(600)) }
        await untilParked(store)
        waiter.cancel()
        #expect(await waiter.value == .scan(store.scan(id: id)!))
        #expect(store.waiterCount == 0)
        #expect(store.parkedWaiterCount == 0)
    }

    @Test func anAlreadyCancelledTask_DoesNotPark() async {
        let store = storeWithRunningScan()
        let waiter = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await store.waitForChange(id: id, from: 1, timeout: .seconds(600))
        }
        #expect(await waiter.value == .scan(store.scan(id: id)!))
        #expect(store.parkedWaiterCount == 0)
    }

    @Test func waitersBeyondTheCap_AreTurnedAway() async {
        let store = storeWithRunningScan(maxWaiters: 2)
        let waiters = (0..<2).map { _ in Task { await store.waitForChange(id: id, from: 1, timeout: .seconds(600)) } }
        await untilParked(store, count: 2)
        #expect(await store.waitForChange(id: id, from: 1, timeout: .seconds(600)) == .tooManyWaiters)
        _ = store.apply(.make(status: .completed, updated: .t(2)), now: .t(2))
        for waiter in waiters { #expect(await waiter.value == .scan(store.scan(id: id)!)) }
        #expect(store.waiterCount == 0)
    }

    @Test func manyWaiters_AreAllWokenByOneChange() async {
        let store = storeWithRunningScan(maxWaiters: 100)
        await withTaskGroup(of: WaitOutcome.self) { group in
            for _ in 0..<50 { group.addTask { await store.waitForChange(id: self.id, from: 1, timeout: .seconds(600)) } }
            await untilParked(store, count: 50)
            _ = store.apply(.make(status: .cancelled, updated: .t(2)), now: .t(2))
            for await outcome in group { #expect(outcome == .scan(store.scan(id: id)!)) }
        }
    }
}
