import HTTPServer
import Polling
import ServiceLifecycle

/// The server as a service of the application's `ServiceGroup`: the group's graceful shutdown closes the listener
/// and lets requests in flight finish within `shutdownGrace`.
///
/// A wrapper rather than `extension HTTPServer: Service`: the server's own `run()` already has the signature
/// `Service` asks for but reacts only to cancellation, and graceful shutdown must not need cancellation.
struct HTTPServerService: Service {
    let server: HTTPServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.beginGracefulShutdown()
        }
    }
}

/// Runs the poll scheduler for as long as the group runs.
struct PollerService: Service {
    let scheduler: WatchScheduler

    func run() async throws {
        await scheduler.start()
        try? await gracefulShutdown()
        await scheduler.stop()
    }
}

/// Marks the service unready and wakes long-lived requests as soon as shutdown begins. Placed last in the group,
/// it is told first (the group shuts services down in reverse order), before the server stops accepting.
struct ShutdownNoticeService: Service {
    let readiness: Readiness
    let signal: ShutdownSignal

    func run() async throws {
        try? await gracefulShutdown()
        readiness.markShuttingDown()
        signal.fire()
    }
}
