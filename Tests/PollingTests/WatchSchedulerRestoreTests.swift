import Foundation
import Testing
@testable import Polling
import Providers
import ScanCore

/// Watches brought back from the state journal after a restart.
@Suite struct WatchSchedulerRestoreTests {
    let clock = ManualClock()
    let probe = SchedulerProbe()
    let ref = ScanRef.binarly(productId: "prod", imageId: "img", scanId: nil)

    func watch(_ id: String, state: Watch.State = .polling, nextPollAt: Date?, polls: Int = 3) -> Watch {
        Watch(
            id: id, source: "binarly", ref: ref, imageSizeBytes: 10 << 20, scanStartedAt: clock.now.addingTimeInterval(-600),
            state: state, createdAt: clock.now.addingTimeInterval(-600), nextPollAt: nextPollAt, polls: polls)
    }

    /// Watches as a journal hands them back, never polled yet or with nothing more saved than the watch.
    func saved(_ watches: Watch...) -> [WatchState] { watches.map { WatchState(watch: $0) } }

    @Test func anOverdueWatch_IsPolledAsSoonAsTheSchedulerStarts() async throws {
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.running)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        await scheduler.restore(saved(watch("w_overdue", nextPollAt: clock.now.addingTimeInterval(-60))))
        let running = SchedulerRun(scheduler)
        let polled = await probe.change(of: "w_overdue") { $0.polls == 4 }
        #expect(polled?.state == .polling)
        #expect(polled?.scanId == "binarly:01SCAN")
        await running.stop()
    }

    @Test func aWatchDueLater_KeepsItsSchedule_AndIsPolledWhenItComes() async throws {
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.completed)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let due = clock.now.addingTimeInterval(120)
        let restored = watch("w_later", nextPollAt: due)
        await scheduler.restore(saved(restored))
        #expect(await scheduler.watch(id: "w_later") == restored)
        let running = SchedulerRun(scheduler)
        clock.advance(by: .seconds(120))
        let done = await probe.change(of: "w_later") { $0.state == .done }
        #expect(done?.polls == 4)
        await running.stop()
    }

    @Test func anEndedWatch_StaysReadable_AndAllWatchesListsEveryOne() async throws {
        let client = ScriptedClient(clock: clock, answers: [])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let ended = watch("w_done", state: .done, nextPollAt: nil)
        let active = watch("w_active", nextPollAt: clock.now.addingTimeInterval(3600))
        await scheduler.restore(saved(ended, active))
        await scheduler.restore(saved(watch("w_done", state: .cancelled, nextPollAt: nil)))
        #expect(await scheduler.watch(id: "w_done") == ended)
        #expect(Set(await scheduler.allWatches().map(\.watch.id)) == ["w_done", "w_active"])
        #expect(await scheduler.countsByState() == [.done: 1, .polling: 1])
    }

    /// A watch by image whose polls had found its scan, and had failed twice since: after the restart it polls that
    /// scan, not whatever the image's newest is by then, and its next failure waits as the third one in a row does.
    @Test func aRestoredWatch_PollsTheScanItHadFound_AndKeepsItsRunOfFailures() async throws {
        let failure = Result<PollResult, UpstreamError>.failure(.http(status: 503, message: "maintenance"))
        let client = ScriptedClient(clock: clock, answers: [failure])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let resolved = ScanRef.binarly(productId: "prod", imageId: "img", scanId: "01FOUND")
        let state = WatchState(watch: watch("w_found", nextPollAt: clock.now), pollRef: resolved, consecutiveErrors: 2)
        #expect(await scheduler.restore([state]) == 1)
        #expect(await scheduler.allWatches() == [state])
        let running = SchedulerRun(scheduler)
        var polls = client.polls.makeAsyncIterator()
        #expect(await polls.next()?.ref == resolved)
        let failed = await probe.change(of: "w_found") { $0.polls == 4 }
        let retryAt = try #require(failed?.nextPollAt)
        let thirdFailureWait = PollSchedule(policy: PollPolicy()).backoff(afterErrors: 3, jitter: 0)
        #expect(retryAt.timeIntervalSince(clock.now) == thirdFailureWait.timeInterval)
        #expect(await scheduler.allWatches().first?.consecutiveErrors == 3)
        await running.stop()
    }

    /// Issue 15's bug: a journaled watch of a source removed from the configuration was queued and never polled nor
    /// expired. It now comes back ended, saying why, and the change is reported (so the journal records it).
    @Test func aWatchOfASourceNoLongerConfigured_ComesBackExpired_SayingWhy() async throws {
        let client = ScriptedClient(clock: clock, answers: [])
        let scheduler = probe.scheduler(client: client, clock: clock)
        var orphan = watch("w_orphan", nextPollAt: clock.now.addingTimeInterval(60))
        orphan.source = "removed"
        var retyped = watch("w_retyped", nextPollAt: clock.now.addingTimeInterval(60))
        retyped.ref = .opsmx(projectId: "p", scanId: "s", type: "t")
        #expect(await scheduler.restore(saved(orphan, retyped)) == 2)
        for id in ["w_orphan", "w_retyped"] {
            let restored = try #require(await scheduler.watch(id: id))
            #expect(restored.state == .expired)
            #expect(restored.nextPollAt == nil)
            #expect(restored.lastError?.contains("no longer configured") == true)
            #expect(await probe.change(of: id) { $0.state == .expired } != nil)
        }
        let running = SchedulerRun(scheduler)
        clock.advance(by: .seconds(120))
        #expect(await scheduler.countsByState() == [.expired: 2])
        await running.stop()
    }
}
