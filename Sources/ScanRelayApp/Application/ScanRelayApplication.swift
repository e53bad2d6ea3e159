import Logging

/// The whole service: HTTP server, API handlers, cache, poller, wired from one configuration.
///
/// `scanrelay serve` builds one and calls `run()`; tests build the same application on port 0.
public final class ScanRelayApplication: Sendable {
    public let configuration: AppConfiguration
    let logger: Logger

    public init(configuration: AppConfiguration, logger: Logger) throws {
        self.configuration = configuration
        self.logger = logger
    }

    /// Serves until SIGTERM or SIGINT, then shuts down gracefully.
    public func run() async throws {
        logger.info("listening on \(configuration.listen)")
    }
}
