import Locking
import TestClocks
import Testing

/// `Waiters`: every way a wait can end, each exactly once, and nothing left registered afterwards. A waiter resumed
/// twice would trap (a checked continuation); a lost wake would hang until the time limit.
@Suite(.timeLimit(.minutes(1))) struct WaitersTests {
    /// Returns once `count` tasks wait in `waiters`. Polled every millisecond rather than spun on `Task.yield()`: on a
    /// two-core machine a spinning test starves the suites running beside it (a real-time Postgres test missed its
    /// 300 ms window).
    private func untilWaiting<Key>(_ waiters: Waiters<Key>, count: Int = 1) async {
        while waiters.count < count { try? await Task.sleep(for: .milliseconds(1)) }
    }

    @Test func aConditionThatHolds_EndsTheWaitAtOnce_WithoutRegistering() async {
        let waiters = Waiters<String>()
        #expect(await waiters.wait(for: "a", unless: { true }) == .ready)
        #expect(waiters.count == 0)
    }

    @Test func aWake_EndsTheWaitsOfItsKey_AndNoOther() async {
        let waiters = Waiters<String>()
        let a = Task { await waiters.wait(for: "a") }
        let b = Task { await waiters.wait(for: "b") }
        await untilWaiting(waiters, count: 2)
        #expect(waiters.wake("a") == 1)
        #expect(await a.value == .woken)
        #expect(waiters.count == 1)
        #expect(waiters.wake("b") == 1)
        #expect(await b.value == .woken)
        #expect(waiters.count == 0)
    }

    @Test func aWakeBeforeAnyoneWaits_IsSeenByTheCondition() async {
        let waiters = Waiters<Unkeyed>()
        let changed = Locked(false)
        changed.withLock { $0 = true }
        #expect(waiters.wakeAll() == 0)
        #expect(await waiters.wait(unless: { changed.withLock { $0 } }) == .ready)
    }

    /// The race every registry had to close: the change lands between the waiter's first look and its registration.
    /// Either the condition sees it or the wake finds the waiter; never neither.
    @Test func aWakeRacingRegistration_IsNeverLost() async {
        for _ in 0..<200 {
            let waiters = Waiters<Unkeyed>()
            let changed = Locked(false)
            async let result = waiters.wait(unless: { changed.withLock { $0 } })
            let changer = Task {
                changed.withLock { $0 = true }
                waiters.wakeAll()
            }
            await changer.value
            #expect([WaitResult.ready, .woken].contains(await result))
            #expect(waiters.count == 0)
        }
    }

    @Test func anAlreadyCancelledTask_IsNotRegistered() async {
        let waiters = Waiters<Unkeyed>()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await waiters.wait()
        }
        #expect(await task.value == .cancelled)
        #expect(waiters.count == 0)
    }

    @Test func cancellingAWaiter_EndsItAtOnce_AndRemovesIt() async {
        let waiters = Waiters<String>()
        let task = Task { await waiters.wait(for: "a") }
        await untilWaiting(waiters)
        task.cancel()
        #expect(await task.value == .cancelled)
        #expect(waiters.count == 0)
        #expect(waiters.wake("a") == 0)
    }

    @Test func aWaitThatIsNotCancellable_OutlastsCancellation() async {
        let waiters = Waiters<Unkeyed>()
        let task = Task { await waiters.wait(cancellable: false) }
        await untilWaiting(waiters)
        task.cancel()
        await Task.yield()
        #expect(waiters.count == 1)
        waiters.wakeAll()
        #expect(await task.value == .woken)
    }

    @Test func manyWaiters_AreAllWokenOnce() async {
        let waiters = Waiters<Int>()
        await withTaskGroup(of: WaitResult.self) { group in
            for index in 0..<200 { group.addTask { await waiters.wait(for: index % 4) } }
            await untilWaiting(waiters, count: 200)
            #expect(waiters.wakeAll() == 200)
            var results: [WaitResult] = []
            for await result in group { results.append(result) }
            #expect(results == Array(repeating: .woken, count: 200))
        }
        #expect(waiters.count == 0)
    }

    @Test func beyondCapacity_AWaiterIsTurnedAway_UntilRoomIsMade() async {
        let waiters = Waiters<String>(capacity: 2)
        let parked = (0..<2).map { _ in Task { await waiters.wait(for: "a") } }
        await untilWaiting(waiters, count: 2)
        #expect(await waiters.wait(for: "b") == .full)
        // A condition that holds answers before the bound is looked at.
        #expect(await waiters.wait(for: "b", unless: { true }) == .ready)
        waiters.wake("a")
        for task in parked { #expect(await task.value == .woken) }
        let again = Task { await waiters.wait(for: "b") }
        await untilWaiting(waiters)
        waiters.wake("b")
        #expect(await again.value == .woken)
    }

    @Test func aCapacityOfZero_TurnsEveryoneAway() async {
        #expect(await Waiters<Unkeyed>(capacity: 0).wait() == .full)
    }

    @Test func theDeadline_EndsTheWait_OnTheInjectedClock() async {
        let clock = TestClock()
        let waiters = Waiters<Unkeyed>()
        let task = Task { await waiters.wait(deadline: Deadline(after: .seconds(30), on: clock)) }
        await clock.untilSleepers()
        clock.advance(by: .seconds(29))
        await clock.untilSleepers()
        #expect(waiters.count == 1)
        clock.advance(by: .seconds(1))
        #expect(await task.value == .timedOut)
        #expect(waiters.count == 0)
        #expect(clock.sleeperCount == 0)
    }

    @Test func aWakeBeforeTheDeadline_StopsTheTimer() async {
        let clock = TestClock()
        let waiters = Waiters<Unkeyed>()
        let task = Task { await waiters.wait(deadline: Deadline(after: .seconds(30), on: clock)) }
        await clock.untilSleepers()
        waiters.wakeAll()
        #expect(await task.value == .woken)
        // The wait does not return before its timer has ended: nothing sleeps on the clock any more.
        #expect(clock.sleeperCount == 0)
    }

    @Test func aLatch_EndsTheWait_WhetherItFiredBeforeOrDuring() async {
        let waiters = Waiters<String>()
        let fired = Latch()
        fired.fire()
        #expect(await waiters.wait(for: "a", endingOn: fired) == .latched)
        #expect(waiters.count == 0)

        let latch = Latch()
        let task = Task { await waiters.wait(for: "a", endingOn: latch) }
        await untilWaiting(waiters)
        #expect(latch.waiterCount == 1)
        latch.fire()
        #expect(await task.value == .latched)
        #expect(waiters.count == 0)
        #expect(latch.waiterCount == 0)
    }

    @Test func aWokenWaiter_LeavesTheLatchItWasGiven() async {
        let waiters = Waiters<Unkeyed>()
        let latch = Latch()
        let task = Task { await waiters.wait(endingOn: latch) }
        await untilWaiting(waiters)
        waiters.wakeAll()
        #expect(await task.value == .woken)
        #expect(latch.waiterCount == 0)
        #expect(!latch.isFired)
    }

    @Test func aLatch_ReleasesEveryWaiter_AndEveryLaterOne() async {
        let latch = Latch()
        let tasks = (0..<20).map { _ in Task { await latch.wait() } }
        while latch.waiterCount < 20 { try? await Task.sleep(for: .milliseconds(1)) }
        latch.fire()
        latch.fire()
        for task in tasks { await task.value }
        await latch.wait()
        #expect(latch.isFired)
        #expect(latch.waiterCount == 0)
    }

    /// Wakes, cancellations, deadlines and a latch all at once, on the same waiters: each wait ends exactly once
    /// (a second resume would trap) and none is left behind.
    @Test func everyEndingAtOnce_ResumesEachWaiterExactlyOnce() async {
        for _ in 0..<10 {
            let clock = TestClock()
            let waiters = Waiters<Int>()
            let latch = Latch()
            let tasks = (0..<40).map { index in
                Task { await waiters.wait(for: index % 2, deadline: Deadline(after: .seconds(1), on: clock), endingOn: latch) }
            }
            await clock.untilSleepers(40)
            await withTaskGroup(of: Void.self) { group in
                group.addTask { _ = waiters.wake(0) }
                group.addTask { tasks.enumerated().filter { $0.offset % 3 == 0 }.forEach { $0.element.cancel() } }
                group.addTask { clock.advance(by: .seconds(1)) }
                group.addTask { latch.fire() }
            }
            for task in tasks {
                #expect([WaitResult.woken, .cancelled, .timedOut, .latched].contains(await task.value))
            }
            #expect(waiters.count == 0)
            #expect(latch.waiterCount == 0)
            #expect(clock.sleeperCount == 0)
        }
    }
}
