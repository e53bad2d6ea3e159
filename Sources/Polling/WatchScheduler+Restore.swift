import Foundation

extension WatchScheduler {
    /// Takes back watches read from the state journal after a restart. An active watch is polled when its
    /// `nextPollAt` comes (at once if that passed while the service was down), still bounded by its expiry; an
    /// ended one stays readable until it ages out. Its resolved poll target is looked up again by the first poll.
    public func restore(_ watches: [Watch]) {
        let now = clock.now
        for watch in watches where records[watch.id] == nil {
            records[watch.id] = Record(watch: watch, pollRef: watch.ref)
            if !watch.state.isActive { markEnded(watch.id, at: now) }
            scheduleNext(watch.id, at: watch.state.isActive ? (watch.nextPollAt ?? now) : schedule.ageOut(endedAt: now))
        }
    }

    /// Every watch, for a snapshot of the state journal.
    public func allWatches() -> [Watch] {
        records.values.map(\.watch)
    }
}
