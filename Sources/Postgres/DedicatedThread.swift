#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A joinable POSIX thread running one closure: where blocking libpq calls live, away from Swift concurrency's
/// cooperative threads and the HTTP event loops.
final class DedicatedThread: @unchecked Sendable {
    // Written once by `start` before any other thread can see the object; read by `join` after.
    private var thread: pthread_t?

    private init() {}

    static func start(_ body: @escaping @Sendable () -> Void) -> DedicatedThread {
        let dedicated = DedicatedThread()
        let box = Unmanaged.passRetained(Body(run: body)).toOpaque()
        var thread = pthread_t()
        let status = pthread_create(&thread, nil, { argument in
            let body = Unmanaged<Body>.fromOpaque(argument!).takeRetainedValue()
            body.run()
            return nil
        }, box)
        precondition(status == 0, "pthread_create failed: \(status)")
        dedicated.thread = thread
        return dedicated
    }

    /// Runs `body` on a new detached thread and returns when it has: for blocking work (joining other threads at
    /// shutdown) that must not hold a Swift concurrency thread meanwhile.
    static func offload(_ body: @escaping @Sendable () -> Void) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let thread = DedicatedThread.start {
                body()
                continuation.resume()
            }
            pthread_detach(thread.thread!)
            thread.thread = nil
        }
    }

    /// Waits for the thread to end. Call once, never from the thread itself.
    func join() {
        guard let thread else { return }
        self.thread = nil
        pthread_join(thread, nil)
    }

    private final class Body {
        let run: @Sendable () -> Void

        init(run: @escaping @Sendable () -> Void) {
            self.run = run
        }
    }
}
