import Foundation
import Polling
import Providers
import ScanCore
import Testing

@Suite struct PollTransitionTests {
    private let transition: PollTransition = {
        var policy = PollPolicy()
        policy.interval = .init(min: .seconds(30), max: .seconds(300))
        policy.backoff = .init(min: .seconds(1), max: .seconds(300))
        return PollTransition(schedule: PollSchedule(policy: policy))
    }()

    private func waiting(errors: Int = 0) -> WatchState {
        let watch = Watch(
            id: "w_1", source: "binarly", ref: .binarly(productId: "prod", imageId: "img", scanId: nil),
            scanStartedAt: Date(timeIntervalSince1970: 1_767_225_600), createdAt: Date(timeIntervalSince1970: 1_767_225_600))
        return WatchState(watch: watch, consecutiveErrors: errors)
    }

    @Test func aRunningScanFollowsTheResolvedRefAndPollsAfterTheInterval() {
        let step = transition.after(waiting(errors: 3), result: ScriptedClient.scan(.running, id: "01A")) {
            Issue.record("no jitter for a good poll")
            return 0
        }
        #expect(step.next == .poll(after: .seconds(30)))
        #expect(step.state.pollRef == .binarly(productId: "prod", imageId: "img", scanId: "01A"))
        #expect(step.state.watch.state == .polling && step.state.watch.polls == 1 && step.state.watch.scanId == "binarly:01A")
        #expect(step.state.consecutiveErrors == 0 && step.state.watch.lastError == nil && step.failure == nil)
    }

    @Test func aTerminalScanEndsTheWatchDoneWithItsScan() {
        let step = transition.after(waiting(), result: ScriptedClient.scan(.completed, id: "01B")) { 0 }
        #expect(step.next == .done(scanId: "binarly:01B"))
    }

    @Test func aFailureBacksOffByItsRunOfErrors_ButNeverBelowRetryAfter() {
        let failed = transition.after(waiting(errors: 2), result: .failure(.rateLimited(retryAfter: .seconds(90)))) { 0.99 }
        #expect(failed.next == .poll(after: .seconds(90)))
        #expect(failed.state.consecutiveErrors == 3 && failed.state.watch.lastError == failed.failure && failed.failure != nil)

        let short = transition.after(waiting(errors: 2), result: .failure(.rateLimited(retryAfter: nil))) { 0 }
        // The third error: 1 s · 2² = 4 s, jitter 0 takes its lower half.
        #expect(short.next == .poll(after: .seconds(2)))
    }

    @Test func aScanNotKeptCountsAsAFailure_EvenWhenTerminal() {
        let step = transition.after(
            waiting(), result: ScriptedClient.scan(.completed, id: "01C"), notKept: ScanNotKept("cache full")) { 0 }
        #expect(step.next == .poll(after: .milliseconds(500)))
        #expect(step.state.watch.lastError == "the result could not be cached: cache full" && step.state.consecutiveErrors == 1)
    }

    @Test func theStateRoundTripsThroughItsDocument() throws {
        var state = transition.after(waiting(), result: ScriptedClient.scan(.running, id: "01D")) { 0 }.state
        state.consecutiveErrors = 4
        #expect(try WatchState.decode(state.encoded()) == state)
    }
}
