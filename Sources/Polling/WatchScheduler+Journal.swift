import Foundation

/// Restarting from the state journal: the app replays the watches it journaled (`onChange` reports every change).
extension WatchScheduler {
    /// Puts back a journaled watch with its id, history and schedule: an active one polls at its `nextPollAt` (at
    /// once if that has passed) and still expires at `createdAt + maxWatchAge`; an ended one stays readable for
    /// `maxWatchAge` from now (the journal does not say when it ended). Returns false for a watch of a source no
    /// longer configured, or when `maxWatches` are held.
    @discardableResult
    public func restore(_ watch: Watch) -> Bool {
        guard sources[watch.source]?.provider == watch.ref.provider, records[watch.id] == nil else { return false }
        do { try makeRoom() } catch { return false }
        records[watch.id] = Record(watch: watch, pollRef: watch.ref)
        if watch.state.isActive {
            scheduleNext(watch.id, at: watch.nextPollAt ?? clock.now)
        } else {
            let now = clock.now
            markEnded(watch.id, at: now)
            scheduleNext(watch.id, at: schedule.ageOut(endedAt: now))
        }
        return true
    }
}
