import AppState
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

/// Runs the poll scheduler for as long as the group runs. Its graceful shutdown cancels the scheduler's `run()`,
/// which returns only once every poll it started has ended: after this service, no poll result reaches the store
/// or the journal.
struct PollerService: Service {
    let watches: any WatchDirectory

    func run() async throws {
        await cancelWhenGracefulShutdown { await watches.run() }
    }
}

/// Runs the state store's background work (the journal's compactions) while the group runs, then writes what is
/// queued and closes the store. Placed first in the group, it is shut down last: after the server has drained and
/// the polls have stopped, so nothing is submitted once it has closed.
struct StateService: Service {
    let state: any StateStore

    func run() async throws {
        await cancelWhenGracefulShutdown { await state.run() }
        // A store with no background work (memory only) returns at once; the service still ends with the group.
        try? await gracefulShutdown()
        await state.close()
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
