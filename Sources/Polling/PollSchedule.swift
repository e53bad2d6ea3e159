import Foundation
import ScanCore

/// When a watch polls next: pure functions of the policy and the watch's history, with no clock and no randomness
/// of their own (jitter is passed in), so every rule is tested with plain values.
public struct PollSchedule: Sendable {
    public let policy: PollPolicy

    public init(policy: PollPolicy) { self.policy = policy }

    /// The first poll: `scanStartedAt` plus the lower bound of the expected scan time, or the upper bound when a
    /// webhook is expected for an image below the large-image threshold (the webhook should arrive before then).
    public func firstPoll(scanStartedAt: Date, imageSizeBytes: Int64?, expectWebhook: Bool) -> Date {
        let span = policy.expectedSpan(imageSizeBytes: imageSizeBytes)
        let waitsForWebhook = expectWebhook && !policy.isLarge(imageSizeBytes: imageSizeBytes)
        return scanStartedAt + (waitsForWebhook ? span.max : span.min)
    }

    /// The interval after the `polls`-th successful poll (1-based): `interval.min`, then ×`intervalGrowth` per
    /// poll, capped at `interval.max`.
    public func interval(afterPolls polls: Int) -> Duration {
        let min = policy.interval.min.timeInterval, max = policy.interval.max.timeInterval
        let grown = min * pow(policy.intervalGrowth, Double(Swift.max(0, polls - 1)))
        return .seconds(Swift.min(max, grown))
    }

    /// The wait after `errors` consecutive failed polls (1-based): `backoff.min · 2^(errors-1)`, capped at
    /// `backoff.max`, then scaled into its upper half by `jitter` ∈ [0, 1) so watches that failed together do not
    /// retry together ("equal jitter": never less than half the step, never more than the step).
    public func backoff(afterErrors errors: Int, jitter: Double) -> Duration {
        let step = Swift.min(policy.backoff.max.timeInterval,
                             policy.backoff.min.timeInterval * pow(2, Double(Swift.min(62, Swift.max(0, errors - 1)))))
        let unit = Swift.min(Swift.max(jitter, 0), 1)
        return .seconds(step / 2 + step / 2 * unit)
    }

    /// The wait after a failed poll: the backoff, but never less than what the upstream asked for in `Retry-After`.
    public func retryDelay(afterErrors errors: Int, jitter: Double, retryAfter: Duration?) -> Duration {
        Swift.max(backoff(afterErrors: errors, jitter: jitter), retryAfter ?? .zero)
    }

    /// When an active watch created at `createdAt` expires.
    public func expiry(createdAt: Date) -> Date { createdAt + policy.maxWatchAge }

    /// When an ended watch ages out and is forgotten.
    public func ageOut(endedAt: Date) -> Date { endedAt + policy.maxWatchAge }
}
