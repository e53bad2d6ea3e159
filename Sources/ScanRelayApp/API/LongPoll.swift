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
            EntityTag.ifNoneMatch(ifNoneMatch, matches: EntityTag.make(revision: scan.revision))
                ? .notModified(scan) : .scan(scan)
        }
    }

    let store: ScanStore
    let shutdown: ShutdownSignal

    func answer(for current: Scan, ifNoneMatch: String?, wait: Duration) async throws(APIError) -> Answer {
        let clientHoldsCurrent = EntityTag.ifNoneMatch(ifNoneMatch, matches: EntityTag.make(revision: current.revision))
        if current.status.isTerminal || (ifNoneMatch != nil && !clientHoldsCurrent) || wait <= .zero {
            return .immediate(current, ifNoneMatch: ifNoneMatch)
        }
        let outcome = await withTaskGroup(of: WaitOutcome?.self) { group in
            group.addTask { await store.waitForChange(id: current.id, from: current.revision, timeout: wait) }
            group.addTask {
                await shutdown.wait()
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case .scan(let scan)?:
            return .immediate(scan, ifNoneMatch: ifNoneMatch)
        case .notFound?:
            throw APIError(.notFound, "scan \(current.id) is no longer cached")
        case .tooManyWaiters?:
            throw .unavailable("too many long-polls are held; retry shortly")
        case nil:
            // Shutting down: answer with what is cached now rather than hold the request past the grace period.
            return .immediate(store.scan(id: current.id) ?? current, ifNoneMatch: ifNoneMatch)
        }
    }
}
