/// How a wait on ``Waiters`` ended.
public enum WaitResult: Sendable, Hashable {
    /// The condition already held when the wait began: it never suspended.
    case ready
    /// Woken by ``Waiters/wake(_:)`` or ``Waiters/wakeAll()``.
    case woken
    /// The deadline passed first.
    case timedOut
    /// The latch it was given had fired, or fired first.
    case latched
    /// The calling task was cancelled, before or while waiting.
    case cancelled
    /// `capacity` tasks were waiting already: this one was turned away without waiting.
    case full
}

/// A key for registries whose waiters all wait for the same thing (``Waiters/wait(unless:)``).
public struct Unkeyed: Hashable, Sendable {
    public init() {}
}

/// The one registry of suspended tasks in ScanRelay: tasks wait under a key until someone wakes that key (a scan
/// changed, an event was published, shutdown began), a deadline passes, a ``Latch`` fires, or they are cancelled.
///
/// The guarantees every hand-written registry had to get right on its own:
/// - each waiter resumes exactly once, whichever of those comes first (the others find it already resumed);
/// - a cancelled waiter resumes at once, and is gone from the registry when its `wait` returns;
/// - no wake is lost to a race with registration: `ready`, the owner's own check of its condition, runs under the
///   registry's lock, so a change made before the check is seen by it, and a wake made after it finds the waiter;
/// - at most `capacity` tasks wait at a time; one more is answered ``WaitResult/full`` without waiting.
///
/// Lock order: this registry's lock is taken first, the owner's inside it (in `ready`). So an owner must not wake
/// (or wait) while holding its own lock: change its state, release it, then wake.
public final class Waiters<Key: Hashable & Sendable>: Sendable {
    private struct Entry: Sendable {
        let waiter: Waiter
        /// What the waiter is told when this registry wakes it (a latch's registry says `.latched`).
        let wokenAs: WaitResult
    }

    private struct State {
        var byKey: [Key: [UInt64: Entry]] = [:]
        var count = 0
        var nextToken: UInt64 = 0
    }

    fileprivate enum Registration {
        case registered(token: UInt64)
        case done(WaitResult)
    }

    /// Tasks that may wait at a time.
    public let capacity: Int
    private let state = Locked(State())

    public init(capacity: Int = .max) {
        self.capacity = max(0, capacity)
    }

    /// Tasks waiting now.
    public var count: Int { state.withLock { $0.count } }

    /// Suspends until `key` is woken, `deadline` passes or `latch` fires, unless `ready` (the owner's condition,
    /// checked under this registry's lock; it may take the owner's lock) holds already.
    ///
    /// `cancellable: false` is for a wait that must outlast its task's cancellation (a server's `run()`, which
    /// begins a shutdown when cancelled and must still wait for it to end).
    public func wait(
        for key: Key, deadline: Deadline? = nil, endingOn latch: Latch? = nil, cancellable: Bool = true,
        unless ready: () -> Bool = { false }
    ) async -> WaitResult {
        let waiter = Waiter()
        let token: UInt64
        switch register(waiter, for: key, wokenAs: .woken, cancellable: cancellable, capacity: capacity, unless: ready) {
        case .done(let result): return result
        case .registered(let registered): token = registered
        }
        var latchToken: UInt64?
        if let latch {
            switch latch.waiters.register(
                waiter, for: Unkeyed(), wokenAs: .latched, cancellable: false, capacity: .max, unless: { latch.isFired })
            {
            case .registered(let registered): latchToken = registered
            case .done: waiter.resume(.latched)
            }
        }
        let result: WaitResult
        if let deadline {
            // The only child task: the timer, which resumes the waiter unless something else did first. Cancelling
            // the group ends its sleep, so no timer outlives the wait.
            result = await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    if (try? await deadline.sleep()) != nil { waiter.resume(.timedOut) }
                }
                let result = await waiter.value(cancellable: cancellable)
                group.cancelAll()
                return result
            }
        } else {
            result = await waiter.value(cancellable: cancellable)
        }
        // Whoever resumed it may have left it registered elsewhere (a deadline or a latch leaves it here).
        remove(token, for: key)
        if let latch, let latchToken { latch.waiters.remove(latchToken, for: Unkeyed()) }
        return result
    }

    /// Wakes every task waiting under `key`; returns how many.
    @discardableResult
    public func wake(_ key: Key) -> Int {
        let entries = state.withLock { state -> [Entry] in
            guard let entries = state.byKey.removeValue(forKey: key) else { return [] }
            state.count -= entries.count
            return Array(entries.values)
        }
        // Resumed outside the lock: a resumed task may run at once and come back to wait again.
        for entry in entries { entry.waiter.resume(entry.wokenAs) }
        return entries.count
    }

    /// Wakes every waiting task, whatever its key; returns how many.
    @discardableResult
    public func wakeAll() -> Int {
        let entries = state.withLock { state -> [Entry] in
            // Called on every event published, mostly with nobody waiting: that case costs a lock and a compare.
            // (A key path here, `flatMap(\.values)`, was instantiated at run time on each call — about 50,000
            // instructions, a sixth of a signed webhook.)
            guard state.count > 0 else { return [] }
            var entries: [Entry] = []
            entries.reserveCapacity(state.count)
            for waiting in state.byKey.values { entries.append(contentsOf: waiting.values) }
            state.byKey.removeAll(keepingCapacity: true)
            state.count = 0
            return entries
        }
        for entry in entries { entry.waiter.resume(entry.wokenAs) }
        return entries.count
    }

    fileprivate func register(
        _ waiter: Waiter, for key: Key, wokenAs: WaitResult, cancellable: Bool, capacity: Int, unless ready: () -> Bool
    ) -> Registration {
        state.withLock { state in
            if ready() { return .done(.ready) }
            if cancellable, Task.isCancelled { return .done(.cancelled) }
            guard state.count < capacity else { return .done(.full) }
            let token = state.nextToken
            state.nextToken += 1
            state.byKey[key, default: [:]][token] = Entry(waiter: waiter, wokenAs: wokenAs)
            state.count += 1
            return .registered(token: token)
        }
    }

    fileprivate func remove(_ token: UInt64, for key: Key) {
        state.withLock { state in
            guard state.byKey[key]?.removeValue(forKey: token) != nil else { return }
            state.count -= 1
            if state.byKey[key]?.isEmpty == true { state.byKey[key] = nil }
        }
    }
}

extension Waiters where Key == Unkeyed {
    /// ``wait(for:deadline:endingOn:cancellable:unless:)`` for a registry whose waiters all wait for one thing.
    public func wait(
        deadline: Deadline? = nil, endingOn latch: Latch? = nil, cancellable: Bool = true,
        unless ready: () -> Bool = { false }
    ) async -> WaitResult {
        await wait(for: Unkeyed(), deadline: deadline, endingOn: latch, cancellable: cancellable, unless: ready)
    }
}

/// When a wait gives up: an instant on a clock, fixed when the deadline is made. The clock is a parameter so tests
/// advance a manual one instead of sleeping.
public struct Deadline: Sendable {
    fileprivate let sleep: @Sendable () async throws -> Void

    /// `duration` from now on `clock`.
    public init<C: Clock>(after duration: Duration, on clock: C) where C.Duration == Duration {
        let instant = clock.now.advanced(by: duration)
        sleep = { try await clock.sleep(until: instant, tolerance: nil) }
    }
}

/// Fires once; every task waiting on it, and every later one, returns. Shutdown signals and "stopped" flags.
public final class Latch: Sendable {
    private let fired = Locked(false)
    fileprivate let waiters = Waiters<Unkeyed>()

    public init() {}

    public var isFired: Bool { fired.withLock { $0 } }

    /// Tasks waiting for it now.
    public var waiterCount: Int { waiters.count }

    /// Fires it (again: nothing).
    public func fire() {
        let first = fired.withLock { fired in
            defer { fired = true }
            return !fired
        }
        // After the flag, outside its lock: a waiter registering now sees the flag, one registered before is woken.
        if first { waiters.wakeAll() }
    }

    /// Returns once it has fired, or (if `cancellable`) when the calling task is cancelled.
    public func wait(cancellable: Bool = true) async {
        _ = await waiters.wait(cancellable: cancellable, unless: { isFired })
    }
}

/// One suspended task: resumed exactly once, by whichever of its wakers comes first. A resume that comes before the
/// task has suspended is kept and handed over when it does.
private final class Waiter: Sendable {
    private struct State {
        var continuation: CheckedContinuation<WaitResult, Never>?
        var result: WaitResult?
    }

    private let state = Locked(State())

    /// Resumes the task with `result` unless it was resumed already.
    func resume(_ result: WaitResult) {
        let continuation = state.withLock { state -> CheckedContinuation<WaitResult, Never>? in
            guard state.result == nil else { return nil }
            state.result = result
            defer { state.continuation = nil }
            return state.continuation
        }
        continuation?.resume(returning: result)
    }

    /// Suspends until `resume`; a cancelled task resumes itself with `.cancelled` if nothing came first.
    func value(cancellable: Bool) async -> WaitResult {
        guard cancellable else { return await suspend() }
        return await withTaskCancellationHandler {
            await suspend()
        } onCancel: {
            resume(.cancelled)
        }
    }

    private func suspend() async -> WaitResult {
        await withCheckedContinuation { (continuation: CheckedContinuation<WaitResult, Never>) in
            let early = state.withLock { state -> WaitResult? in
                if let result = state.result { return result }
                state.continuation = continuation
                return nil
            }
            if let early { continuation.resume(returning: early) }
        }
    }
}
