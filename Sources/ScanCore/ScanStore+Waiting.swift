import Locking

extension ScanStore {
    /// Long-poll support: returns as soon as scan `id` has a revision other than `revision` or is terminal, else
    /// when `timeout` has passed on `clock` or `latch` (shutdown) fires, with the scan as it then is.
    ///
    /// One wait ends on whichever comes first (see ``Waiters``): no task races another. Cancelling the calling task
    /// ends the wait at once and leaves nothing behind. At most `configuration.maxWaiters` calls wait at a time;
    /// beyond that the call returns ``WaitOutcome/tooManyWaiters``.
    public func waitForChange(
        id: String, from revision: UInt64, timeout: Duration, clock: any Clock<Duration> = ContinuousClock(),
        endingOn latch: Latch? = nil
    ) async -> WaitOutcome {
        let result = await waiters.wait(
            for: id, deadline: Deadline(after: timeout, on: clock), endingOn: latch,
            unless: {
                // Under the waiters' lock: a change between the caller's read and here is not slept through.
                state.withLock { state in
                    guard let packed = state.record(id)?.packed else { return true }
                    return packed.revision != revision || packed.status.isTerminal
                }
            })
        if result == .full { return .tooManyWaiters }
        let packed = state.withLock { $0.record(id)?.packed }
        return packed.map { .scan($0.scan()) } ?? .notFound
    }

    /// Long-polls in progress.
    public var waiterCount: Int { waiters.count }

    /// Long-polls suspended until a change: lets tests await the moment a waiter is parked.
    var parkedWaiterCount: Int { waiters.count }
}
