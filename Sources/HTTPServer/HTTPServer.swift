import Glibc
import HTTPCore
import Logging
import Locking
import Synchronization

/// Our HTTP server: epoll event loops on POSIX sockets, HTTP/1.1 and h2c (HTTP/2 through libnghttp2, see
/// `Connection+HTTP2.swift`), async handlers, timeouts, backpressure and graceful shutdown.
///
/// `start()` binds and returns once the socket listens (so `localPort` is known); `run()` starts if needed and returns
/// after shutdown completes; `beginGracefulShutdown()` (or cancelling `run()`) stops it.
public final class HTTPServer: Sendable {
    private enum State {
        case idle
        case running(listener: Int32, loops: [EventLoop])
        case stopping([EventLoop])
    }

    private let context: ServerContext
    private let state = Locked(State.idle)
    private let port = Atomic<Int>(0)

    public init(configuration: HTTPServerConfiguration, responder: any HTTPResponder, logger: Logger, observer: (any HTTPServerObserver)? = nil) {
        context = ServerContext(configuration: configuration, responder: responder, logger: logger, observer: observer)
    }

    /// The bound port (the chosen one when configured with port 0); 0 before `start()`.
    public var localPort: Int { port.load(ordering: .relaxed) }

    /// Binds, listens and starts the event loops. Throws when the address cannot be bound or `start` ran before.
    public func start() throws {
        try state.withLock { state in
            guard case .idle = state else { throw HTTPServerError.alreadyStarted }
            try start(&state)
        }
    }

    private func start(_ state: inout State) throws {
        let configuration = context.configuration
        let listener = try Socket.listen(host: configuration.host, port: configuration.port, backlog: configuration.backlog)
        do {
            let loops = try (0..<max(1, configuration.eventLoopCount)).map { try EventLoop(index: $0, context: context) }
            try loops[0].install(Acceptor(fd: listener, loops: loops))
            port.store(Socket.localPort(listener), ordering: .relaxed)
            context.loopsStarted(loops.count)
            loops.forEach { $0.start() }
            state = .running(listener: listener, loops: loops)
        } catch {
            close(listener)
            throw error
        }
        context.logger.info("listening", metadata: ["address": "\(configuration.host)", "port": "\(localPort)"])
    }

    /// Starts unless already started, then waits until shutdown is complete. Cancelling the calling task begins a
    /// graceful shutdown (the app's service lifecycle does this on SIGTERM).
    public func run() async throws {
        try state.withLock { state in
            if case .idle = state { try start(&state) }
        }
        await withTaskCancellationHandler {
            await context.waitUntilStopped()
        } onCancel: {
            beginGracefulShutdown()
        }
    }

    /// Closes the listener (new connections are refused), closes idle keep-alive connections, lets requests in
    /// flight finish within `shutdownGrace` (their responses say `Connection: close`), then closes the rest.
    public func beginGracefulShutdown() {
        let previous = state.withLock { state -> State in
            defer { if case .running(_, let loops) = state { state = .stopping(loops) } else { state = .stopping([]) } }
            return state
        }
        switch previous {
        case .idle:
            context.markStoppedIfNoLoops()
        case .running(let listener, let loops):
            // Stops listening before returning, so no connection is accepted after this call. The descriptor stays
            // open (no other thread can reuse its number under the acceptor) until the first loop closes it.
            shutdown(listener, Int32(SHUT_RDWR))
            context.shutdownBegun.store(true, ordering: .releasing)
            context.logger.info("graceful shutdown begins", metadata: ["grace": "\(context.configuration.shutdownGrace)"])
            let grace = context.configuration.shutdownGrace
            for loop in loops {
                loop.execute { loop.beginGracefulShutdown(grace: grace) }
            }
        case .stopping:
            break
        }
    }

    /// For tests: the connections and buffered output across all loops, read on each loop's thread.
    package func statistics() async -> HTTPServerStatistics {
        let loops = state.withLock { state -> [EventLoop] in
            switch state {
            case .idle: []
            case .running(_, let loops), .stopping(let loops): loops
            }
        }
        var total = HTTPServerStatistics()
        for loop in loops {
            let part = await withCheckedContinuation { (continuation: CheckedContinuation<HTTPServerStatistics, Never>) in
                let scheduled = loop.execute { continuation.resume(returning: loop.statistics()) }
                if !scheduled { continuation.resume(returning: HTTPServerStatistics()) }
            }
            total.openConnections += part.openConnections
            total.bufferedOutboundBytes += part.bufferedOutboundBytes
            total.socketWrites += part.socketWrites
        }
        return total
    }
}

public enum HTTPServerError: Error, Sendable {
    case alreadyStarted
}
