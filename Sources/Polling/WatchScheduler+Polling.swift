import Foundation
import Providers
import ScanCore

/// Running polls: the per-source queue and concurrency limit, and what each result does to its watch.
extension WatchScheduler {
    func enqueue(_ job: Job, source: String, first: Bool) {
        if case .watch(let id) = job {
            guard var record = records[id], !record.queued, !record.inFlight else { return }
            record.queued = true
            records[id] = record
        }
        if first { jobs[source, default: JobQueue()].prepend(job) } else { jobs[source, default: JobQueue()].append(job) }
    }

    /// Starts queued polls of `source` while it has free slots.
    func pump(_ source: String) {
        guard let client = sources[source]?.client else { return }
        while inFlight[source, default: 0] < policy.concurrencyPerSource, let job = jobs[source]?.popFirst() {
            switch job {
            case .watch(let id):
                guard var record = records[id], record.watch.state.isActive else { continue }
                record.queued = false
                record.inFlight = true
                if record.watch.state == .waiting { record.watch.state = .polling }
                records[id] = record
                pollTasks[id] = launch(source: source) { [ref = record.pollRef, startedAt = record.watch.scanStartedAt] in
                    let result = await Self.poll(client, ref, startedAt)
                    await self.finishWatchPoll(id, result)
                }
            case .oneOff(let ref):
                launch(source: source) { [startedAt = clock.now] in
                    guard case .success(let found) = await Self.poll(client, ref, startedAt) else { return }
                    do throws(ScanNotKept) {
                        try await self.keep(found)
                    } catch {
                        // A hint, not a watch: nothing follows up. The scan's next webhook or watch brings it again.
                        self.logger.warning("hint poll result not cached", metadata: ["ref": "\(ref.fields)", "reason": "\(error.reason)"])
                    }
                }
            }
        }
    }

    /// The poll's task: cancelling it (a watch deleted) closes its upstream request.
    @discardableResult
    private func launch(source: String, _ body: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        inFlight[source, default: 0] += 1
        return Task {
            await body()
            self.pollEnded(source: source)
        }
    }

    private func pollEnded(source: String) {
        inFlight[source, default: 1] -= 1
        pump(source)
    }

    /// Caches every scan a poll found (and the index it read, if any); throws at the first that cannot be kept.
    private func keep(_ found: PollResult) async throws(ScanNotKept) {
        switch found {
        case .scan(let update, _):
            try await sink(update)
        case .scans(let scans, _):
            if let index = scans.index { onIndex(index) }
            for update in scans.updates { try await sink(update) }
        case .noScanYet:
            break
        }
    }

    private static func poll(_ client: any UpstreamClient, _ ref: ScanRef, _ startedAt: Date) async -> Result<PollResult, UpstreamError> {
        do throws(UpstreamError) {
            return .success(try await client.poll(ref, scanStartedAt: startedAt))
        } catch {
            return .failure(error)
        }
    }

    /// Applies one poll's result: the scan goes to the sink first (so whoever sees the watch end finds the scan
    /// cached), then the watch ends on a terminal state or is scheduled again. A scan the sink could not keep counts
    /// as a failed poll: the watch backs off and polls again rather than end with its result lost.
    private func finishWatchPoll(_ id: String, _ result: Result<PollResult, UpstreamError>) async {
        var notKept: ScanNotKept?
        if case .success(let found) = result {
            do throws(ScanNotKept) { try await keep(found) } catch { notKept = error }
        }
        pollTasks[id] = nil
        guard var record = records[id] else { return }
        record.inFlight = false
        record.watch.polls += 1
        let now = clock.now
        let next: Date
        switch result {
        case .success(let found):
            // What the poll settled: the ref to follow, the scan the watch shows, and whether it is final.
            var final: (scanId: String?, isFinal: Bool)?
            switch found {
            case .scan(let update, let following):
                record.pollRef = following
                record.watch.scanId = update.scanId
                final = (update.scanId, update.status.isTerminal)
            case .scans(let scans, let following):
                record.pollRef = following
                if let followed = scans.followedScanId { record.watch.scanId = followed }
                final = (scans.followedScanId, scans.isFinal)
            case .noScanYet:
                break
            }
            if let notKept {
                next = now + noteFailure(&record, "the result could not be cached: \(notKept.reason)")
            } else {
                record.consecutiveErrors = 0
                record.watch.lastError = nil
                next = now + schedule.interval(afterPolls: record.watch.polls)
                if let final, final.isFinal, record.watch.state.isActive {
                    records[id] = record
                    end(id, as: .done, scanId: final.scanId)
                    return
                }
            }
        case .failure(let error):
            // A watch deleted meanwhile: its poll was cancelled, which is no error of the upstream's.
            guard record.watch.state.isActive else { records[id] = record; return }
            var retryAfter: Duration?
            if case .rateLimited(let asked) = error { retryAfter = asked }
            next = now + noteFailure(&record, error.description, retryAfter: retryAfter)
        }
        records[id] = record
        // A watch cancelled or ended by a webhook while its poll was in flight keeps its age-out entry.
        guard record.watch.state.isActive else { return }
        scheduleNext(id, at: next)
        onChange(records[id]?.watch ?? record.watch)
    }

    /// Records a failed poll on the watch; returns the backoff before the next one.
    private func noteFailure(_ record: inout Record, _ description: String, retryAfter: Duration? = nil) -> Duration {
        record.consecutiveErrors += 1
        record.watch.lastError = description
        logger.debug("poll failed", metadata: ["watch": "\(record.watch.id)", "source": "\(record.watch.source)", "error": "\(description)"])
        return schedule.retryDelay(afterErrors: record.consecutiveErrors, jitter: jitter(), retryAfter: retryAfter)
    }
}
