import AppState
import HTTPCore
import ScanCore

/// `GET /v1/scans/{id}?wait=D` as `openapi.yaml` specifies it: answer as soon as the scan differs from the client's
/// `If-None-Match` (or, without one, from its state when the request arrived) or is terminal; a terminal scan whose
/// ETag the client holds is a `304` at once; at the deadline `304` if `If-None-Match` still matches, else `200`.
///
/// Waiters are bounded (`cache.maxLongPollWaiters`, beyond: `503`), and all of them answer at once when shutdown
/// begins, so a held request never outlives the grace period.
struct LongPoll: Sendable {
    enum Answer: Sendable {
        case scan(Scan)
        case notModified(Scan)

        /// The answer without waiting: `304` when `If-None-Match` names the current revision.
        static func immediate(_ scan: Scan, ifNoneMatch: String?) -> Answer {
            EntityTag(of: scan).isMatched(byIfNoneMatch: ifNoneMatch)
                ? .notModified(scan) : .scan(scan)
        }
    }

    let state: any StateStore
    let shutdown: ShutdownSignal
    /// What the `wait` deadline is measured on: a manual clock in tests.
    let clock: any Clock<Duration>

    func answer(for current: Scan, ifNoneMatch: String?, wait: Duration) async throws(APIError) -> Answer {
        let clientHoldsCurrent = EntityTag(of: current).isMatched(byIfNoneMatch: ifNoneMatch)
        if current.status.isTerminal || (ifNoneMatch != nil && !clientHoldsCurrent) || wait <= .zero {
            return .immediate(current, ifNoneMatch: ifNoneMatch)
        }
        // One wait, ended by a change, the deadline or shutdown, whichever comes first.
        let outcome = await state.waitForChange(
            id: current.id, from: current.revision, timeout: wait, clock: clock, endingOn: shutdown)
        if outcome != .tooManyWaiters, shutdown.isFired {
            // Shutting down: answer with the scan as stored now (the request's own view of it if it is gone) rather
            // than hold the request past the grace period.
            let now = try? await state.scan(id: current.id, includingRaw: true)
            return .immediate((now ?? nil) ?? current, ifNoneMatch: ifNoneMatch)
        }
        switch outcome {
        case .scan(let scan):
            return .immediate(scan, ifNoneMatch: ifNoneMatch)
        case .notFound:
            throw APIError(.notFound, "scan \(current.id) is no longer cached")
        case .tooManyWaiters:
            throw .unavailable("too many long-polls are held; retry shortly")
        }
    }
}
