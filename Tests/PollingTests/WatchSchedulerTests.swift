import Foundation
import Testing
@testable import Polling
import Providers
import ScanCore

@Suite struct WatchSchedulerTests {
    let clock = ManualClock()
    let probe = SchedulerProbe()
    let ref = ScanRef.binarly(productId: "prod", imageId: "img", scanId: nil)

    func request(size: Int64? = 10 << 20, expectWebhook: Bool = false) -> WatchRequest {
        WatchRequest(source: "binarly", ref: ref, imageSizeBytes: size, expectWebhook: expectWebhook)
    }

    @Test func newWatch_WaitsUntilTheLowerBoundOfItsExpectedTime() async throws {
        let client = ScriptedClient(clock: clock, answers: [.success(.noScanYet)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let watch = try await scheduler.add(request())
        #expect(watch.state == .waiting)
        #expect(watch.nextPollAt == clock.now.addingTimeInterval(5 * 60))
        #expect(watch.scanStartedAt == watch.createdAt)
        #expect(watch.expectWebhook == false)
    }

    @Test func dueWatch_IsPolled_ThenFollowedToItsTerminalState() async throws {
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.running), ScriptedClient.scan(.completed)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let running = SchedulerRun(scheduler)
        let watch = try await scheduler.add(request())
        clock.advance(by: .seconds(5 * 60))
        let polling = await probe.change(of: watch.id) { $0.polls == 1 }
        #expect(polling?.state == .polling)
        #expect(polling?.scanId == "binarly:01SCAN")
        #expect(polling?.nextPollAt == watch.createdAt.addingTimeInterval(5 * 60 + 30))
        var polls = client.polls.makeAsyncIterator()
        let first = await polls.next()
        #expect(first?.ref == ref)
        clock.advance(by: .seconds(30))
        let done = await probe.change(of: watch.id) { $0.state == .done }
        #expect(done?.scanId == "binarly:01SCAN")
        #expect(done?.nextPollAt == nil)
        // After resolving, polls follow the scan found, not the image's newest.
        #expect(await polls.next()?.ref == .binarly(productId: "prod", imageId: "img", scanId: "01SCAN"))
        var updates = probe.updates.makeAsyncIterator()
        #expect(await updates.next()?.status == .running)
        #expect(await updates.next()?.status == .completed)
        await running.stop()
    }

    @Test func failedPoll_BacksOff_AndKeepsTheUpstreamMessage() async throws {
        let client = ScriptedClient(clock: clock, answers: [
            .failure(.http(status: 502, message: "bad gateway")), .failure(.http(status: 500, message: "oops")),
            ScriptedClient.scan(.running),
        ])
        let scheduler = probe.scheduler(client: client, clock: clock, jitter: 0)
        let running = SchedulerRun(scheduler)
        let watch = try await scheduler.add(request())
        clock.advance(by: .seconds(5 * 60))
        let first = await probe.change(of: watch.id) { $0.polls == 1 }
        #expect(first?.lastError == "upstream answered 502: bad gateway")
        #expect(first?.nextPollAt == clock.now.addingTimeInterval(0.5))
        clock.advance(by: .milliseconds(500))
        let second = await probe.change(of: watch.id) { $0.polls == 2 }
        #expect(second?.nextPollAt == clock.now.addingTimeInterval(1))
        clock.advance(by: .seconds(1))
        let recovered = await probe.change(of: watch.id) { $0.polls == 3 }
        #expect(recovered?.lastError == nil)
        #expect(recovered?.state == .polling)
        await running.stop()
    }

    @Test func aResultTheSinkCannotKeep_IsPolledAgain_NotEndedAsDone() async throws {
        let store = ScanStore(configuration: .init(maxScans: 1))
        _ = store.apply(ScriptedClient.update(.running, id: "OTHER"))
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.completed)])
        let scheduler = probe.scheduler(
            policy: PollPolicy(), sources: ["binarly": .init(provider: .binarly, client: client)], clock: clock,
            jitter: { 0 }, store: store)
        let running = SchedulerRun(scheduler)
        let watch = try await scheduler.add(request())
        clock.advance(by: .seconds(5 * 60))
        let refused = await probe.change(of: watch.id) { $0.polls == 1 }
        #expect(refused?.state == .polling)
        #expect(refused?.lastError == "the result could not be cached: the store is full")
        #expect(refused?.nextPollAt == clock.now.addingTimeInterval(0.5))
        #expect(store.scan(id: "binarly:01SCAN") == nil)

        _ = store.apply(ScriptedClient.update(.completed, id: "OTHER"))
        clock.advance(by: .milliseconds(500))
        let done = await probe.change(of: watch.id) { $0.state == .done }
        #expect(done?.polls == 2 && done?.lastError == nil)
        #expect(store.scan(id: "binarly:01SCAN")?.status == .completed)
        await running.stop()
    }

    @Test func rateLimitedPoll_WaitsAtLeastRetryAfter() async throws {
        let client = ScriptedClient(clock: clock, answers: [.failure(.rateLimited(retryAfter: .seconds(120)))])
        let scheduler = probe.scheduler(client: client, clock: clock, jitter: 1)
        let running = SchedulerRun(scheduler)
        let watch = try await scheduler.add(request())
        clock.advance(by: .seconds(5 * 60))
        let limited = await probe.change(of: watch.id) { $0.polls == 1 }
        #expect(limited?.nextPollAt == clock.now.addingTimeInterval(120))
        await running.stop()
    }

    @Test func cancelledWatch_IsNeverPolled_ButStaysReadable() async throws {
        var policy = PollPolicy()
        policy.concurrencyPerSource = 1
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.completed)])
        let scheduler = probe.scheduler(policy: policy, client: client, clock: clock)
        let running = SchedulerRun(scheduler)
        let cancelled = try await scheduler.add(request())
        let control = try await scheduler.add(WatchRequest(
            source: "binarly", ref: .binarly(productId: "prod", imageId: "other", scanId: nil), imageSizeBytes: 10 << 20,
            scanStartedAt: clock.now.addingTimeInterval(1)))
        #expect(await scheduler.cancel(id: cancelled.id)?.state == .cancelled)
        clock.advance(by: .seconds(10 * 60))
        // One slot: had the cancelled watch (due first) been polled, its poll would have come first.
        var polls = client.polls.makeAsyncIterator()
        #expect(await polls.next()?.ref == control.ref)
        #expect(await scheduler.watch(id: cancelled.id)?.state == .cancelled)
        #expect(await scheduler.watch(id: cancelled.id)?.polls == 0)
        await running.stop()
    }

    @Test func watch_ExpiresAtMaxWatchAge_AndIsPublished() async throws {
        var policy = PollPolicy()
        policy.maxWatchAge = .seconds(60)
        let client = ScriptedClient(clock: clock, answers: [.success(.noScanYet)])
        let scheduler = probe.scheduler(policy: policy, client: client, clock: clock)
        let running = SchedulerRun(scheduler)
        let watch = try await scheduler.add(request())
        #expect(watch.nextPollAt == watch.createdAt.addingTimeInterval(60))
        clock.advance(by: .seconds(60))
        var expired = probe.expired.makeAsyncIterator()
        let published = await expired.next()
        #expect(published?.id == watch.id)
        #expect(published?.state == .expired)
        #expect(await scheduler.watch(id: watch.id)?.state == .expired)
        await running.stop()
    }

    @Test func terminalWebhook_EndsTheWatch_NonTerminalOnlyNamesTheScan() async throws {
        let client = ScriptedClient(clock: clock, answers: [.success(.noScanYet)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let watch = try await scheduler.add(request(expectWebhook: true))
        let running = await scheduler.matchWebhook(ScriptedClient.update(.running))
        #expect(running.map(\.state) == [.waiting])
        #expect(running.first?.scanId == "binarly:01SCAN")
        #expect(await scheduler.matchWebhook(ScriptedClient.update(.completed, imageId: "another")).isEmpty)
        let done = await scheduler.matchWebhook(ScriptedClient.update(.completed))
        #expect(done.map(\.id) == [watch.id])
        #expect(done.first?.state == .done)
    }

    @Test func hint_PollsAWaitingWatchAtOnce() async throws {
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.completed)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let running = SchedulerRun(scheduler)
        let watch = try await scheduler.add(request(expectWebhook: true))
        #expect(await scheduler.refetchNow(.binarly(productId: "prod", imageId: "img", scanId: "01SCAN"), source: "binarly"))
        let done = await probe.change(of: watch.id) { $0.state == .done }
        #expect(done?.polls == 1)
        await running.stop()
    }

    @Test func hint_WithoutAWatch_PollsOnce_IntoTheSink() async throws {
        let client = ScriptedClient(clock: clock, answers: [ScriptedClient.scan(.completed)])
        let scheduler = probe.scheduler(client: client, clock: clock)
        let running = SchedulerRun(scheduler)
        #expect(await scheduler.refetchNow(ref, source: "binarly"))
        var updates = probe.updates.makeAsyncIterator()
        #expect(await updates.next()?.status == .completed)
        #expect(await scheduler.refetchNow(ref, source: "nowhere") == false)
        await running.stop()
    }

    @Test func inFlightPolls_NeverExceedTheSourceLimit() async throws {
        var policy = PollPolicy()
        policy.concurrencyPerSource = 2
        let client = GatedClient()
        let scheduler = WatchScheduler(policy: policy, sources: ["binarly": .init(provider: .binarly, client: client)],
                                       clock: clock, sink: { _ in })
        let running = SchedulerRun(scheduler)
        for _ in 0..<6 { _ = try await scheduler.add(request()) }
        clock.advance(by: .seconds(5 * 60))
        await client.waitUntilInFlight(2)
        client.releaseAll(after: 6)
        await client.waitUntilServed(6)
        #expect(client.maxInFlight == 2)
        await running.stop()
    }

    @Test func watches_AreRefusedBeyondMaxWatches() async throws {
        var policy = PollPolicy()
        policy.maxWatches = 2
        let scheduler = probe.scheduler(policy: policy, client: ScriptedClient(clock: clock, answers: [.success(.noScanYet)]), clock: clock)
        let first = try await scheduler.add(request())
        _ = try await scheduler.add(request())
        await #expect(throws: WatchError.tooManyWatches(limit: 2)) { try await scheduler.add(request()) }
        await scheduler.cancel(id: first.id)
        _ = try await scheduler.add(request())
        #expect(await scheduler.watch(id: first.id) == nil)
    }

    @Test func atMaxWatches_TheWatchThatEndedLongestAgo_MakesRoomFirst() async throws {
        var policy = PollPolicy()
        policy.maxWatches = 3
        let scheduler = probe.scheduler(policy: policy, client: ScriptedClient(clock: clock, answers: [.success(.noScanYet)]), clock: clock)
        let a = try await scheduler.add(request()), b = try await scheduler.add(request())
        let c = try await scheduler.add(request())
        _ = await scheduler.cancel(id: b.id)
        clock.advance(by: .seconds(1))
        _ = await scheduler.cancel(id: a.id)
        _ = try await scheduler.add(request())
        #expect(await scheduler.watch(id: b.id) == nil)
        #expect(await scheduler.watch(id: a.id)?.state == .cancelled)
        _ = try await scheduler.add(request())
        #expect(await scheduler.watch(id: a.id) == nil)
        await #expect(throws: WatchError.tooManyWatches(limit: 3)) { try await scheduler.add(request()) }
        #expect(await scheduler.watch(id: c.id)?.state.isActive == true)
    }

    @Test func refOfAnotherProvider_OrUnknownSource_IsRefused() async throws {
        let scheduler = probe.scheduler(client: ScriptedClient(clock: clock, answers: [.success(.noScanYet)]), clock: clock)
        await #expect(throws: WatchError.refDoesNotFitProvider(source: "binarly")) {
            try await scheduler.add(WatchRequest(source: "binarly", ref: .yandexImage(imageId: "crt")))
        }
        await #expect(throws: WatchError.unknownSource("harbor")) {
            try await scheduler.add(WatchRequest(source: "harbor", ref: ref))
        }
    }
}
