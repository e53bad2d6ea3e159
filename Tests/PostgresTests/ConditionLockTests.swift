@testable import Postgres
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The pool's lock: a thread waiting through `waitFor` sees what another thread changed, whether it was signalled or
/// its deadline passed — the shape the pool's workers and reaper wait in.
@Suite struct ConditionLockTests {
    struct Gate {
        var open = false
        var looks = 0
    }

    @Test func aWaiterSeesTheChangeAnotherThreadMade_WhenSignalled() {
        let lock = ConditionLock(Gate(), conditions: 1)
        let waiter = DedicatedThread.start {
            let looks = lock.waitFor { gate in
                gate.looks += 1
                return gate.open ? .done(gate.looks) : .wait(0)
            }
            #expect(looks >= 2, "it looked once, waited, and looked again")
        }
        // Opened only once the waiter has looked, so it must wait and be woken.
        while lock.withLock({ $0.looks }) == 0 { sched_yield() }
        lock.withLock { $0.open = true }
        lock.broadcast(0)
        waiter.join()
        #expect(lock.withLock { $0.open })
    }

    @Test func aWaitWithADeadline_LooksAgainWhenItPasses_WithoutASignal() {
        let lock = ConditionLock(Gate(), conditions: 1)
        let deadline = monotonicNanoseconds() + 20_000_000
        let looks = lock.waitFor { gate in
            gate.looks += 1
            return monotonicNanoseconds() >= deadline ? .done(gate.looks) : .waitUntil(0, deadline: deadline)
        }
        #expect(monotonicNanoseconds() >= deadline)
        #expect(looks >= 2)
    }
}
