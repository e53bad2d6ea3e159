import Foundation
import Providers
import ScanCore

/// What one poll makes of a watch: a pure function of the watch's state, the poll's result and whether its scans
/// were kept, with no clock and no store of its own — the in-memory scheduler and the shared poller apply the same
/// rule, each on its own clock (the shared one on the database's).
public struct PollTransition: Sendable {
    /// What follows the poll.
    public enum Next: Sendable, Equatable {
        /// Poll again this long after now (an interval after a good poll, a backoff after a failed one; the caller
        /// never lets it pass the watch's expiry).
        case poll(after: Duration)
        /// The scan the watch follows reached a terminal state: the watch ends `done`, with that scan's id if known.
        case done(scanId: String?)
    }

    public struct Step: Sendable, Equatable {
        /// The watch after the poll (for `.done`, still in its active state: ending it is the caller's, which may
        /// find it ended meanwhile).
        public var state: WatchState
        public var next: Next
        /// The failure this poll counted, if any (for the log).
        public var failure: String?

        public init(state: WatchState, next: Next, failure: String? = nil) {
            self.state = state
            self.next = next
            self.failure = failure
        }
    }

    public let schedule: PollSchedule

    public init(schedule: PollSchedule) { self.schedule = schedule }

    /// The watch after a poll that returned `result`. `notKept` says the sink could not keep the scans found: the
    /// poll then counts as failed (and backs off), so a watch never ends with its result lost. `jitter` is called
    /// only for a failed poll's backoff.
    public func after(
        _ state: WatchState, result: Result<PollResult, UpstreamError>, notKept: ScanNotKept? = nil,
        jitter: () -> Double
    ) -> Step {
        var state = state
        state.watch.polls += 1
        if state.watch.state == .waiting { state.watch.state = .polling }
        switch result {
        case .success(let found):
            // What the poll settled: the ref to follow, the scan the watch shows, and whether it is final.
            var final: (scanId: String?, isFinal: Bool)?
            switch found {
            case .scan(let update, let following):
                state.pollRef = following
                state.watch.scanId = update.scanId
                final = (update.scanId, update.status.isTerminal)
            case .scans(let scans, let following):
                state.pollRef = following
                if let followed = scans.followedScanId { state.watch.scanId = followed }
                final = (scans.followedScanId, scans.isFinal)
            case .noScanYet:
                break
            }
            if let notKept {
                return failed(state, "the result could not be cached: \(notKept.reason)", retryAfter: nil, jitter: jitter)
            }
            state.consecutiveErrors = 0
            state.watch.lastError = nil
            if let final, final.isFinal { return Step(state: state, next: .done(scanId: final.scanId)) }
            return Step(state: state, next: .poll(after: schedule.interval(afterPolls: state.watch.polls)))
        case .failure(let error):
            var retryAfter: Duration?
            if case .rateLimited(let asked) = error { retryAfter = asked }
            return failed(state, error.description, retryAfter: retryAfter, jitter: jitter)
        }
    }

    private func failed(_ state: WatchState, _ description: String, retryAfter: Duration?, jitter: () -> Double) -> Step {
        var state = state
        state.consecutiveErrors += 1
        state.watch.lastError = description
        let wait = schedule.retryDelay(afterErrors: state.consecutiveErrors, jitter: jitter(), retryAfter: retryAfter)
        return Step(state: state, next: .poll(after: wait), failure: description)
    }
}
