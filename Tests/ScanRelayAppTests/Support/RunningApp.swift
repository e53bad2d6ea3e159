import Foundation
import Logging
import Providers
import ScanCore
@testable import ScanRelayApp

/// The application the binary runs, built from a configuration and served on 127.0.0.1, port 0.
final class RunningApp: Sendable {
    let app: ScanRelayApplication
    let port: Int
    private let task: Task<Void, any Error>

    private init(app: ScanRelayApplication, task: Task<Void, any Error>) {
        self.app = app
        self.port = app.localPort
        self.task = task
    }

    static func testConfiguration() -> AppConfiguration {
        var configuration = AppConfiguration()
        configuration.listen = ListenAddress(host: "127.0.0.1", port: 0)
        configuration.limits.shutdownGrace = .seconds(5)
        return configuration
    }

    /// Starts an app; `configure` adjusts the test configuration (open API on loopback, no sources) first, and
    /// `upstreamClients` replaces the upstream clients of the sources it names. Prefer `withRunningApp`, which stops
    /// the app whatever the test does. `clock` measures long-poll deadlines and SSE pings (a `TestClock` to advance
    /// them by hand).
    static func start(
        upstreamClients: [String: any UpstreamClient] = [:], clock: any Clock<Duration> = ContinuousClock(),
        _ configure: (inout AppConfiguration) -> Void = { _ in }
    ) async throws -> RunningApp {
        var configuration = testConfiguration()
        configure(&configuration)
        var logger = Logger(label: "scanrelay.test")
        logger.logLevel = .warning
        let app = try ScanRelayApplication(
            configuration: configuration, logger: logger, upstreamClients: upstreamClients, clock: clock)
        try app.start()
        let task = Task { try await app.run(handlingSignals: false) }
        return RunningApp(app: app, task: task)
    }

    /// Graceful shutdown, as on SIGTERM; waits until the app has stopped. Stopping again waits again.
    func stop() async throws {
        await app.stop()
        try await task.value
    }

    func request(
        _ method: String, _ target: String, headers: [(String, String)] = [], body: [UInt8] = []
    ) async throws -> TestResponse {
        try await httpRequest(port: port, method, target, headers: headers, body: body)
    }

    func get(_ target: String, headers: [(String, String)] = []) async throws -> TestResponse {
        try await request("GET", target, headers: headers)
    }

    func postJSON(_ target: String, _ json: String, headers: [(String, String)] = []) async throws -> TestResponse {
        try await request(
            "POST", target, headers: [("Content-Type", "application/json")] + headers, body: Array(json.utf8))
    }

    /// Puts a scan straight into the cache, as a decoded webhook would.
    @discardableResult
    func seed(_ update: ScanUpdate) -> ApplyOutcome {
        app.store.apply(update)
    }
}

/// Runs `body` against an app started as `RunningApp.start` does, and stops the app (gracefully, waiting for it)
/// when `body` returns or throws — a failed `#require` or a thrown error leaves no server, poll or journal behind
/// for the next test.
func withRunningApp<Result>(
    upstreamClients: [String: any UpstreamClient] = [:],
    _ configure: (inout AppConfiguration) -> Void = { _ in },
    _ body: (RunningApp) async throws -> Result
) async throws -> Result {
    let app = try await RunningApp.start(upstreamClients: upstreamClients, configure)
    let result: Result
    do {
        result = try await body(app)
    } catch {
        try? await app.stop()
        throw error
    }
    try await app.stop()
    return result
}

extension ScanUpdate {
    /// A scan update for tests: source `relay`, provider `scanrelay`, delivered by webhook.
    static func make(
        _ upstreamId: String, source: String = "relay", provider: Provider = .scanrelay, imageId: String = "image-1",
        productId: String? = nil, status: ScanStatus = .running, createdAt: Date? = nil, updatedAt: Date? = nil,
        findings: Findings? = nil, raw: String = ""
    ) -> ScanUpdate {
        ScanUpdate(
            source: source, provider: provider, upstreamId: upstreamId,
            subject: ScanSubject(imageId: imageId, productId: productId), status: status,
            upstreamStatus: status.rawValue, upstreamCreatedAt: createdAt, upstreamUpdatedAt: updatedAt,
            completedAt: status.isTerminal ? updatedAt : nil, findings: findings, via: .webhook, raw: Array(raw.utf8))
    }
}
