import DequeModule
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
        if first { jobs[source, default: []].prepend(job) } else { jobs[source, default: []].append(job) }
    }

    /// Starts queued polls of `source` while it has free slots.
    func pump(_ source: String) {
        guard !stopped, let client = sources[source]?.client else { return }
        while inFlight[source, default: 0] < policy.concurrencyPerSource, let job = jobs[source]?.popFirst() {
            switch job {
            case .watch(let id):
                guard var record = records[id], record.watch.state.isActive else { continue }
                record.queued = false
                record.inFlight = true
                if record.watch.state == .waiting { record.watch.state = .polling }
                records[id] = record
                launch(source: source, watch: id) { [ref = record.pollRef, startedAt = record.watch.scanStartedAt] in
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

    /// Runs a poll as a child task of `run()`. A watch's poll runs in a task of its own that the child awaits (and
    /// cancels when it is cancelled), so that deleting the watch can cancel just that poll, closing its upstream
    /// request; it never outlives `run()`.
    private func launch(source: String, watch id: String? = nil, _ body: @escaping @Sendable () async -> Void) {
        inFlight[source, default: 0] += 1
        spawn {
            if let id {
                let poll = Task { await body() }
                if await !self.track(poll, of: id) { poll.cancel() }
                await withTaskCancellationHandler { await poll.value } onCancel: { poll.cancel() }
            } else {
                await body()
            }
            await self.pollEnded(source: source)
        }
    }

    /// Holds `poll` so `cancel(id:)` can cancel it; false when the watch ended before its poll began.
    private func track(_ poll: Task<Void, Never>, of id: String) -> Bool {
        guard records[id]?.watch.state.isActive == true else { return false }
        pollTasks[id] = poll
        return true
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

    static func poll(_ client: any UpstreamClient, _ ref: ScanRef, _ startedAt: Date) async -> Result<PollResult, UpstreamError> {
        do throws(UpstreamError) {
            return .success(try await client.poll(ref, scanStartedAt: startedAt))
        } catch {
            return .failure(error)
        }
    }

    /// Applies one poll's result: the scan goes to the sink first (so whoever sees the watch end finds the scan
    /// cached), then the watch ends on a terminal state or is scheduled again, as ``PollTransition`` says. A scan the
    /// sink could not keep counts as a failed poll: the watch backs off and polls again rather than end with its
    /// result lost.
    private func finishWatchPoll(_ id: String, _ result: Result<PollResult, UpstreamError>) async {
        var notKept: ScanNotKept?
        if case .success(let found) = result {
            do throws(ScanNotKept) { try await keep(found) } catch { notKept = error }
        }
        pollTasks[id] = nil
        guard var record = records[id] else { return }
        record.inFlight = false
        if case .failure = result {
            if Task.isCancelled {
                // Stopped mid-poll (shutdown): not the upstream's failure, so neither counted nor recorded.
                records[id] = record
                return
            }
            if !record.watch.state.isActive {
                // A watch deleted meanwhile: its poll was cancelled, which is no error of the upstream's.
                record.watch.polls += 1
                records[id] = record
                return
            }
        }
        let step = transition.after(
            WatchState(watch: record.watch, pollRef: record.pollRef, consecutiveErrors: record.consecutiveErrors),
            result: result, notKept: notKept, jitter: jitter)
        record.watch = step.state.watch
        record.pollRef = step.state.pollRef
        record.consecutiveErrors = step.state.consecutiveErrors
        records[id] = record
        if let failure = step.failure {
            logger.debug("poll failed", metadata: ["watch": "\(id)", "source": "\(record.watch.source)", "error": "\(failure)"])
        }
        // A watch cancelled or ended by a webhook while its poll was in flight keeps its age-out entry.
        guard record.watch.state.isActive else { return }
        switch step.next {
        case .done(let scanId):
            end(id, as: .done, scanId: scanId)
        case .poll(let wait):
            scheduleNext(id, at: clock.now + wait)
            onChange(records[id]?.saved ?? record.saved)
        }
    }
}
