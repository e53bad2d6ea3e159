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

    private let runningLoops = Locked(0)
    /// Fired when the last loop has stopped (or none ever started).
    private let stopped = Latch()

    init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger, observer: (any HTTPServerObserver)?) {
        self.configuration = configuration
        self.responder = responder
        self.logger = logger
        self.observer = observer
    }

    func loopsStarted(_ count: Int) {
        runningLoops.withLock { $0 += count }
    }

    /// Called by each loop's thread as it exits; the last one releases everyone waiting in `run()`.
    func loopStopped() {
        let last = runningLoops.withLock { running in
            running -= 1
            return running == 0
        }
        if last { stopped.fire() }
    }

    /// For a server that is shut down before it ever started.
    func markStoppedIfNoLoops() {
        if runningLoops.withLock({ $0 == 0 }) { stopped.fire() }
    }

    /// Not cancellable: `run()` begins a graceful shutdown when cancelled and must still wait for it to end.
    func waitUntilStopped() async {
        await stopped.wait(cancellable: false)
    }
}
