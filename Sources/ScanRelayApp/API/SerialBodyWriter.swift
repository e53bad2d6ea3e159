import Locking
import HTTPCore

/// Lets two producers (events and pings) share one response body: each frame is written whole, one at a time, in
/// the order the writers arrived. The underlying writer may suspend (it hops to the connection's loop), so the order
/// matters.
///
/// Its queue is not a `Waiters` registry, on purpose: this is an asynchronous lock, not a wait for a change. A release
/// hands ownership to exactly one waiter, the oldest, and a waiter must not be dropped by cancellation once it may
/// have been handed ownership (the hand-off would be lost and the stream would hang); `Waiters` wakes every waiter
/// of a key and lets a cancelled one go at once. Its waiters are at most the stream's two producers, both ended
/// together by the stream's task group.
final class SerialBodyWriter: Sendable {
    private struct State {
        var busy = false
        var waiting: [CheckedContinuation<Void, Never>] = []
    }

    private let writer: any HTTPBodyWriter
    private let state = Locked(State())

    init(_ writer: any HTTPBodyWriter) { self.writer = writer }

    func write(_ bytes: [UInt8]) async throws {
        await acquire()
        defer { release() }
        try Task.checkCancellation()
        try await writer.write(bytes)
    }

    private func acquire() async {
        await withCheckedContinuation { continuation in
            let acquired = state.withLock { state -> Bool in
                guard state.busy else {
                    state.busy = true
                    return true
                }
                state.waiting.append(continuation)
                return false
            }
            if acquired { continuation.resume() }
        }
    }

    /// Hands the writer straight to the next waiter, if any, so no late arrival can overtake it.
    private func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard !state.waiting.isEmpty else {
                state.busy = false
                return nil
            }
            return state.waiting.removeFirst()
        }
        next?.resume()
    }
}
