import Locking
import Testing

@Suite struct LockedTests {
    @Test func concurrentUpdates_AreNeverLost() async {
        let counter = Locked(0)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for _ in 0..<10_000 { counter.withLock { $0 += 1 } }
                }
            }
        }
        #expect(counter.withLock { $0 } == 80_000)
    }

    private struct Refused: Error, Equatable {}

    @Test func aThrowingBody_LeavesTheLockFree_AndKeepsWhatItChanged() {
        let state = Locked([1])
        #expect(throws: Refused()) {
            try state.withLock { (items: inout [Int]) throws(Refused) in
                items.append(2)
                throw Refused()
            }
        }
        // Had the lock stayed held, this would deadlock rather than fail.
        #expect(state.withLock { $0 } == [1, 2])
    }
}
