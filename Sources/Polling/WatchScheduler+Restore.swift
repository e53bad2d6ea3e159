import Foundation

/// Restarting from saved state: the app hands back the watch states it kept (`onChange` reported every change).
extension WatchScheduler {
    /// Puts back saved watches with their ids, history and schedules — the one way watches come back after a
    /// restart. Each continues where its last poll left it: the ref that poll resolved (a watch by image stays on the
    /// scan it found) and its run of failures (the backoff). An active watch polls at its `nextPollAt` (at once if
    /// that passed while the service was down) and still expires at `createdAt + maxWatchAge`; an ended one stays
    /// readable until it ages out from now (the saved state does not say when it ended).
    ///
    /// A watch whose source is no longer configured for polling (removed, or now of another provider) cannot be
    /// polled: it comes back ended, `expired`, with a `lastError` that says why, and the change is reported so the
    /// saved state agrees. A watch already held is left as it is; beyond `maxWatches` the rest are dropped, and the
    /// number put back is returned.
    @discardableResult
    public func restore(_ states: [WatchState]) -> Int {
        let now = clock.now
        var restored = 0
        for state in states where records[state.watch.id] == nil {
            var watch = state.watch
            do { try makeRoom() } catch { break }
            let pollable = sources[watch.source]?.provider == watch.ref.provider
            if watch.state.isActive && !pollable {
                watch.state = .expired
                watch.nextPollAt = nil
                watch.lastError = "source \(watch.source) is no longer configured for polling \(watch.ref.provider.rawValue) scans"
            }
            records[watch.id] = Record(watch: watch, pollRef: state.pollRef, consecutiveErrors: state.consecutiveErrors)
            if watch.state.isActive {
                scheduleNext(watch.id, at: watch.nextPollAt ?? now)
            } else {
                markEnded(watch.id, at: now)
                scheduleNext(watch.id, at: schedule.ageOut(endedAt: now))
            }
            if !pollable, watch.lastError != nil, watch.state == .expired, let saved = records[watch.id]?.saved {
                onChange(saved)
            }
            restored += 1
        }
        return restored
    }

    /// Every watch as it stands, for a snapshot of the saved state.
    public func allWatches() -> [WatchState] {
        records.values.map(\.saved)
    }
}
