#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex, with condition variables on the monotonic clock for threads that wait for it
/// to change: the pool's job queue. (`Locked` of the Locking module has no conditions; this is its waiting sibling,
/// and ThreadSanitizer sees both.)
final class ConditionLock<Value>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let conditions: UnsafeMutablePointer<pthread_cond_t>
    private let conditionCount: Int
    private var value: Value

    init(_ value: sending Value, conditions count: Int) {
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        conditionCount = count
        conditions = .allocate(capacity: count)
        var attributes = pthread_condattr_t()
        pthread_condattr_init(&attributes)
        #if canImport(Glibc)
        pthread_condattr_setclock(&attributes, CLOCK_MONOTONIC)
        #endif
        for index in 0..<count {
            (conditions + index).initialize(to: pthread_cond_t())
            pthread_cond_init(conditions + index, &attributes)
        }
        pthread_condattr_destroy(&attributes)
        self.value = value
    }

    deinit {
        for index in 0..<conditionCount { pthread_cond_destroy(conditions + index) }
        conditions.deinitialize(count: conditionCount)
        conditions.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deinitialize(count: 1)
        mutex.deallocate()
    }

    /// Runs `body` under the lock. `body` gets a ``Waiter`` to wait on a condition (releasing the lock meanwhile).
    func withLock<Result>(_ body: (inout Value, Waiter) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value, Waiter(mutex: mutex, conditions: conditions))
    }

    /// Wakes every thread waiting on condition `index`. Callable with or without the lock held.
    func broadcast(_ index: Int) {
        pthread_cond_broadcast(conditions + index)
    }

    func signal(_ index: Int) {
        pthread_cond_signal(conditions + index)
    }

    struct Waiter {
        fileprivate let mutex: UnsafeMutablePointer<pthread_mutex_t>
        fileprivate let conditions: UnsafeMutablePointer<pthread_cond_t>

        /// Waits on condition `index` until signalled (spurious wake-ups happen: re-check the value — in a new
        /// `withLock`: the body's `inout` value may be a copy the compiler keeps, blind to other threads' changes).
        func wait(_ index: Int) {
            pthread_cond_wait(conditions + index, mutex)
        }

        /// Waits on condition `index` until signalled or until the monotonic clock reaches `deadline` (ns).
        func wait(_ index: Int, until deadline: UInt64) {
            var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            pthread_cond_timedwait(conditions + index, mutex, &time)
        }
    }
}

/// Nanoseconds on the monotonic clock.
func monotonicNanoseconds() -> UInt64 {
    var time = timespec()
    clock_gettime(CLOCK_MONOTONIC, &time)
    return UInt64(time.tv_sec) * 1_000_000_000 + UInt64(time.tv_nsec)
}

extension Duration {
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        return UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, attoseconds / 1_000_000_000))
    }
}
