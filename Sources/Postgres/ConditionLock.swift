#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A value guarded by a pthread mutex, with condition variables on the monotonic clock for threads that wait for it
/// to change: the pool's job queue. (`Locked` of the Locking module has no conditions; this is its waiting sibling,
/// and ThreadSanitizer sees both.)
///
/// Waiting has one shape, ``waitFor(_:)``: the caller looks at the value and says what it wants, and the lock does
/// the waiting between looks, each look a fresh access to the value. A wait inside one `inout` access could not be
/// trusted: Swift assumes nobody else changes an `inout` during the access, so the optimizer may keep the value in
/// registers across the wait and never see another thread's change (the replica shutdown hang of issue 19, where a
/// pool worker never saw `closed`). So no body gets a way to wait.
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

    /// Runs `body` under the lock.
    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&value)
    }

    /// What a look at the value decided.
    enum Look<Result> {
        case done(Result)
        /// Wait on condition `index` until it is signalled, then look again.
        case wait(Int)
        /// Wait on condition `index` until it is signalled or the monotonic clock reaches `deadline` (ns), then look again.
        case waitUntil(Int, deadline: UInt64)
    }

    /// Looks at the value under the lock until `look` is done with it, waiting (the lock released meanwhile) as each
    /// look asks. Spurious wake-ups only mean one more look.
    func waitFor<Result>(_ look: (inout Value) -> Look<Result>) -> Result {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while true {
            switch look(&value) {
            case .done(let result):
                return result
            case .wait(let index):
                pthread_cond_wait(conditions + index, mutex)
            case .waitUntil(let index, let deadline):
                var time = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
                pthread_cond_timedwait(conditions + index, mutex, &time)
            }
        }
    }

    /// Wakes every thread waiting on condition `index`. Callable with or without the lock held.
    func broadcast(_ index: Int) {
        pthread_cond_broadcast(conditions + index)
    }

    func signal(_ index: Int) {
        pthread_cond_signal(conditions + index)
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
