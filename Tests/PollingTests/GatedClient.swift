import Foundation
import Polling
import Providers
import ScanCore

/// A client whose polls block until the test releases them, counting how many run at once.
final class GatedClient: UpstreamClient, @unchecked Sendable {
    private let lock = NSLock()
    private var inFlight = 0
    private var served = 0
    private var released = 0
    private var gates: [CheckedContinuation<Void, Never>] = []
    private var waiters: [(condition: () -> Bool, continuation: CheckedContinuation<Void, Never>)] = []
    private(set) var maxInFlight = 0

    func poll(_ ref: ScanRef, scanStartedAt: Date) async throws(UpstreamError) -> PollResult {
        await withCheckedContinuation { continuation in
            lock.lock()
            inFlight += 1
            maxInFlight = max(maxInFlight, inFlight)
            if released > 0 {
                released -= 1
                lock.unlock()
                continuation.resume()
            } else {
                gates.append(continuation)
                lock.unlock()
            }
            notify()
        }
        lock.withLock {
            inFlight -= 1
            served += 1
        }
        notify()
        return .scan(ScriptedClient.update(.completed), following: ref)
    }

    /// Lets the next `count` polls (waiting or still to come) through.
    func releaseAll(after count: Int) {
        let open = lock.withLock {
            released += count
            let open = Array(gates.prefix(released))
            gates.removeFirst(open.count)
            released -= open.count
            return open
        }
        open.forEach { $0.resume() }
    }

    func waitUntilInFlight(_ count: Int) async { await wait { self.inFlight >= count } }
    func waitUntilServed(_ count: Int) async { await wait { self.served >= count } }

    private func wait(_ condition: @escaping () -> Bool) async {
        await withCheckedContinuation { continuation in
            lock.lock()
            if condition() {
                lock.unlock()
                continuation.resume()
            } else {
                waiters.append((condition, continuation))
                lock.unlock()
            }
        }
    }

    private func notify() {
        let ready = lock.withLock {
            let ready = waiters.filter { $0.condition() }
            waiters.removeAll { $0.condition() }
            return ready
        }
        ready.forEach { $0.continuation.resume() }
    }
}
