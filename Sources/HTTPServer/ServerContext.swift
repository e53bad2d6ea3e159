import HTTPCore
import Logging
import Locking
import Synchronization

/// What every event loop of one server shares: the configuration, the responder, the connection count and the
/// bookkeeping that lets `HTTPServer.run()` return once every loop has stopped.
final class ServerContext: Sendable {
    let configuration: HTTPServerConfiguration
    let responder: any HTTPResponder
    let logger: Logger
    let observer: (any HTTPServerObserver)?
    /// Across all loops, counted from the accept to the close (what `maxConnections` limits).
    let openConnections = Atomic<Int>(0)
    /// Set by `HTTPServer.beginGracefulShutdown()` before it tells the loops, so that every response finished after
    /// that call says `Connection: close`, even on a loop that has not yet run its part of the shutdown.
    let shutdownBegun = Atomic<Bool>(false)

    private struct Completion {
        var runningLoops = 0
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }
    private let completion = Locked(Completion())

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger, observer: (any HTTPServerObserver)?) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.observer = observer
    }

    func loopsStarted(_ count: Int) {
        completion.withLock { $0.runningLoops += count }
    }

    /// Called by each loop's thread as it exits; the last one releases everyone waiting in `run()`.
    func loopStopped() {
        let waiters = completion.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.runningLoops -= 1
            guard state.runningLoops == 0 else { return [] }
            return finish(&state)
        }
        waiters.forEach { $0.resume() }
    }

    /// For a server that is shut down before it ever started.
    func markStoppedIfNoLoops() {
        let waiters = completion.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.runningLoops == 0 ? finish(&state) : []
        }
        waiters.forEach { $0.resume() }
    }

    func waitUntilStopped() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = completion.withLock { state -> Bool in
                if !state.finished { state.waiters.append(continuation) }
                return state.finished
            }
            if done { continuation.resume() }
        }
    }

    private func finish(_ state: inout Completion) -> [CheckedContinuation<Void, Never>] {
        state.finished = true
        defer { state.waiters = [] }
        return state.waiters
    }
}
