import Foundation
import ScanCore
import Testing
@testable import Polling

@Suite struct PollScheduleTests {
    let schedule = PollSchedule(policy: PollPolicy())
    let start = Date(timeIntervalSince1970: 1_700_000_000)
    static let mib: Int64 = 1 << 20

    func minutes(after date: Date, _ first: Date) -> Double { first.timeIntervalSince(date) / 60 }

    @Test(arguments: [
        (Int64(10) * mib, false, 5.0), (10 * mib, true, 10.0),
        (64 * mib - 1, true, 10.0), (64 * mib, false, 10.0), (64 * mib, true, 60.0),
        (499 * mib, true, 60.0), (500 * mib, false, 60.0),
    ])
    func firstPoll_FollowsTheSizeClass_AndTheWebhookExpectation(size: Int64, expectWebhook: Bool, minutes expected: Double) {
        let first = schedule.firstPoll(scanStartedAt: start, imageSizeBytes: size, expectWebhook: expectWebhook)
        #expect(minutes(after: start, first) == expected)
    }

    @Test func largeImage_NeverWaitsForAWebhook() {
        let size: Int64 = 2 << 30
        let withWebhook = schedule.firstPoll(scanStartedAt: start, imageSizeBytes: size, expectWebhook: true)
        let without = schedule.firstPoll(scanStartedAt: start, imageSizeBytes: size, expectWebhook: false)
        #expect(withWebhook == without)
        #expect(minutes(after: start, withWebhook) == 60)
    }

    @Test func unknownSize_UsesTheUnknownSizeSpan() {
        #expect(minutes(after: start, schedule.firstPoll(scanStartedAt: start, imageSizeBytes: nil, expectWebhook: false)) == 5)
        #expect(minutes(after: start, schedule.firstPoll(scanStartedAt: start, imageSizeBytes: nil, expectWebhook: true)) == 60)
    }

    @Test func intervals_GrowByHalf_PerPoll_UpToTheCap() {
        let seconds = (1...8).map { schedule.interval(afterPolls: $0).timeInterval }
        #expect(seconds == [30, 45, 67.5, 101.25, 151.875, 227.8125, 300, 300])
    }

    @Test(arguments: [(1, 0.5, 1.0), (2, 1.0, 2.0), (3, 2.0, 4.0), (9, 128.0, 256.0), (10, 150.0, 300.0), (500, 150.0, 300.0)])
    func backoff_DoublesPerError_WithJitterInTheUpperHalf(errors: Int, low: Double, high: Double) {
        #expect(schedule.backoff(afterErrors: errors, jitter: 0).timeInterval == low)
        #expect(schedule.backoff(afterErrors: errors, jitter: 0.5).timeInterval > low)
        #expect(schedule.backoff(afterErrors: errors, jitter: 0.5).timeInterval < high)
        #expect(schedule.backoff(afterErrors: errors, jitter: 1).timeInterval == high)
    }

    @Test func retryAfter_IsHonoured_WhenLongerThanTheBackoff() {
        #expect(schedule.retryDelay(afterErrors: 1, jitter: 1, retryAfter: .seconds(120)) == .seconds(120))
        #expect(schedule.retryDelay(afterErrors: 3, jitter: 1, retryAfter: .seconds(1)) == .seconds(4))
        #expect(schedule.retryDelay(afterErrors: 3, jitter: 1, retryAfter: nil) == .seconds(4))
    }

    @Test func watch_ExpiresAtMaxWatchAge() {
        #expect(schedule.expiry(createdAt: start).timeIntervalSince(start) == 24 * 3600)
        var policy = PollPolicy()
        policy.maxWatchAge = .milliseconds(250)
        #expect(PollSchedule(policy: policy).expiry(createdAt: start).timeIntervalSince(start) == 0.25)
    }

    @Test func millisecondPolicies_KeepTheirProportions() {
        var policy = PollPolicy()
        policy.interval = .init(min: .milliseconds(10), max: .milliseconds(20))
        let fast = PollSchedule(policy: policy)
        #expect(fast.interval(afterPolls: 1) == .milliseconds(10))
        #expect(fast.interval(afterPolls: 2) == .milliseconds(15))
        #expect(fast.interval(afterPolls: 3) == .milliseconds(20))
    }
}
