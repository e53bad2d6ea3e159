import Locking

/// Changes recorded in the journal but not yet applied in memory, which a snapshot must wait for.
///
/// A snapshot is taken after the journal has moved to a new segment, and the older segments are then deleted: every
/// record in them must be part of the state it captures. A scan a webhook records before applying it (so a failed
/// write leaves nothing visible) is, between its sync and its apply, in an old segment but not yet in memory.
/// `drain` bumps the epoch and waits until every change begun in an older one has ended; a change begun after the
/// bump submits to the new segment, which the snapshot keeps.
final class PendingChanges: Sendable {
    private struct State {
        var epoch = 0
        var open: [Int: Int] = [:]
        var drainers: [(epoch: Int, continuation: CheckedContinuation<Void, Never>)] = []

        func isDrained(before epoch: Int) -> Bool { !open.keys.contains { $0 < epoch } }
    }

    private let state = Locked(State())

    /// Marks a change begun; pass the result to `end`.
    func begin() -> Int {
        state.withLock { state in
            state.open[state.epoch, default: 0] += 1
            return state.epoch
        }
    }

    func end(_ epoch: Int) {
        let ready = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open[epoch, default: 1] -= 1
            if state.open[epoch] == 0 { state.open[epoch] = nil }
            let (ready, waiting) = state.drainers.split { state.isDrained(before: $0.epoch) }
            state.drainers = waiting
            return ready.map(\.continuation)
        }
        ready.forEach { $0.resume() }
    }

    /// Returns once every change begun before this call has ended. Each ends within one journal sync of its
    /// record (applied, or refused when the sync failed), so the wait is short.
    func drain() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let drained = state.withLock { state in
                state.epoch += 1
                if state.isDrained(before: state.epoch) { return true }
                state.drainers.append((state.epoch, continuation))
                return false
            }
            if drained { continuation.resume() }
        }
    }
}

extension Array {
    /// The elements that satisfy `belongs`, and the rest, each in their order.
    fileprivate func split(_ belongs: (Element) -> Bool) -> (matching: [Element], rest: [Element]) {
        var matching: [Element] = [], rest: [Element] = []
        for element in self {
            if belongs(element) { matching.append(element) } else { rest.append(element) }
        }
        return (matching, rest)
    }
}
