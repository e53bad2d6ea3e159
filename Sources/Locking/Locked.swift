#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value that only one thread at a time may touch, guarded by a pthread mutex: the lock of every shared state in
/// ScanRelay (event-loop inboxes, stores, ledgers, the journal writer).
///
/// Why not `Synchronization.Mutex`: on Linux it parks waiters on a futex inside the standard library, which is not
/// built with ThreadSanitizer, so TSan sees no ordering between two `withLock` bodies and reports every guarded
/// state as a data race. ThreadSanitizer intercepts `pthread_mutex_lock`, so this lock keeps the suite checkable
/// under `--sanitize=thread`; uncontended, both cost one atomic exchange each way.
///
/// The API is `Mutex`'s: the value goes in and out as `sending`, so a non-`Sendable` value never escapes the lock.
public final class Locked<Value>: @unchecked Sendable {
    // Allocated on its own: Swift promises a stored property no stable address to hand to C (`&property` may pass
    // a temporary copy), and a pthread mutex must never be copied once initialised.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var value: Value

    public init(_ value: sending Value) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        let status = pthread_mutex_init(mutex, nil)
        precondition(status == 0, "pthread_mutex_init failed: \(status)")
        self.value = value
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` with the value while holding the lock. `body` must not call back into the same lock (a pthread
    /// default mutex deadlocks on re-entry) and should not block.
    public func withLock<Result, Failure: Error>(
        _ body: (inout sending Value) throws(Failure) -> sending Result
    ) throws(Failure) -> sending Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }
}
