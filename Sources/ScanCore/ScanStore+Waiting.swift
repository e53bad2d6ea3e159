extension ScanStore {
    /// Long-poll support: returns as soon as scan `id` has a revision other than `revision` or is terminal, else
    /// when `timeout` has passed, with the scan as it then is.
    ///
    /// Cancelling the calling task ends the wait at once and leaves nothing behind. At most
    /// `configuration.maxWaiters` calls wait at a time; beyond that the call returns ``WaitOutcome/tooManyWaiters``.
    public func waitForChange(id: String, from revision: UInt64, timeout: Duration) async -> WaitOutcome {
        enum Admission { case done(WaitOutcome), wait(token: UInt64) }
        let admission = state.withLock { state -> Admission in
            guard let packed = state.record(id)?.packed else { return .done(.notFound) }
            if packed.revision != revision || packed.status.isTerminal { return .done(.scan(packed.scan())) }
            guard state.activeWaiters < configuration.maxWaiters else { return .done(.tooManyWaiters) }
            state.activeWaiters += 1
            defer { state.nextWaiterToken += 1 }
            return .wait(token: state.nextWaiterToken)
        }
        let token: UInt64
        switch admission {
        case .done(let outcome): return outcome
        case .wait(let admitted): token = admitted
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.park(id: id, revision: revision, token: token) }
            group.addTask { try? await Task.sleep(for: timeout) }
            await group.next()
            group.cancelAll()
        }
        let packed = state.withLock { state in
            state.activeWaiters -= 1
            return state.record(id)?.packed
        }
        return packed.map { .scan($0.scan()) } ?? .notFound
    }

    /// Long-polls in progress.
    public var waiterCount: Int { state.withLock { $0.activeWaiters } }

    /// Long-polls suspended until a change: lets tests await the moment a waiter is parked.
    var parkedWaiterCount: Int { state.withLock { $0.waiters.values.reduce(0) { $0 + $1.count } } }

    /// Suspends until `apply` (or eviction) wakes waiters on `id`, or the task is cancelled.
    private func park(id: String, revision: UInt64, token: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let parked = state.withLock { state in
                    // Re-checked under the lock: a change between admission and here must not be slept through.
                    guard !Task.isCancelled, let packed = state.record(id)?.packed, packed.revision == revision,
                          !packed.status.isTerminal
                    else { return false }
                    state.waiters[id, default: [:]][token] = continuation
                    return true
                }
                if !parked { continuation.resume() }
            }
        } onCancel: {
            let continuation = state.withLock { state -> CheckedContinuation<Void, Never>? in
                let continuation = state.waiters[id]?.removeValue(forKey: token)
                if state.waiters[id]?.isEmpty == true { state.waiters[id] = nil }
                return continuation
            }
            continuation?.resume()
        }
    }
}
