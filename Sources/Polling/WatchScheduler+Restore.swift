import Foundation

/// Restarting from saved state: the app hands back the watches it kept (`onChange` reported every change).
extension WatchScheduler {
    /// Puts back saved watches with their ids, history and schedules — the one way watches come back after a
    /// restart. An active watch polls at its `nextPollAt` (at once if that passed while the service was down) and
    /// still expires at `createdAt + maxWatchAge`; an ended one stays readable until it ages out from now (the saved
    /// state does not say when it ended).
    ///
    /// A watch whose source is no longer configured for polling (removed, or now of another provider) cannot be
    /// polled: it comes back ended, `expired`, with a `lastError` that says why, and the change is reported so the
    /// saved state agrees. A watch already held is left as it is; beyond `maxWatches` the rest are dropped, and the
    /// number put back is returned.
    @discardableResult
    public func restore(_ watches: [Watch]) -> Int {
        let now = clock.now
        var restored = 0
        for var watch in watches where records[watch.id] == nil {
            do { try makeRoom() } catch { break }
            let pollable = sources[watch.source]?.provider == watch.ref.provider
            if watch.state.isActive && !pollable {
                watch.state = .expired
                watch.nextPollAt = nil
                watch.lastError = "source \(watch.source) is no longer configured for polling \(watch.ref.provider.rawValue) scans"
            }
            records[watch.id] = Record(watch: watch, pollRef: watch.ref)
            if watch.state.isActive {
                scheduleNext(watch.id, at: watch.nextPollAt ?? now)
            } else {
                markEnded(watch.id, at: now)
                scheduleNext(watch.id, at: schedule.ageOut(endedAt: now))
            }
            if !pollable, watch.lastError != nil, watch.state == .expired { onChange(watch) }
            restored += 1
        }
        return restored
    }

    /// Every watch, for a snapshot of the saved state.
    public func allWatches() -> [Watch] {
        records.values.map(\.watch)
    }
}
