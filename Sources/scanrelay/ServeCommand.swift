import ArgumentParser
import Foundation
import Logging
import ScanRelayApp

/// `scanrelay serve`: loads and validates the configuration, then runs the service until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the service (the default command).",
        discussion: """
            Settings come from the configuration file, then SCANRELAY_* environment variables, then options:
              SCANRELAY_CONFIG          configuration file when --config is not given
              SCANRELAY_LISTEN          HOST:PORT to listen on (default 127.0.0.1:8080)
              SCANRELAY_LOG_LEVEL       trace, debug, info, notice, warning, error or critical
              SCANRELAY_LOG_FORMAT      text or json (one JSON object per line)
              SCANRELAY_API_TOKENS      token:scope[+scope],... added to api.tokens (scopes read, write)
              SCANRELAY_ALLOW_ANONYMOUS true to serve an open API on a non-loopback address

            With no configuration at all the service listens on 127.0.0.1:8080 with an in-memory cache and no \
            sources. An open API (no tokens) on any other address is refused unless anonymous access is allowed. \
            A configuration that cannot be used is printed problem by problem and serve exits with 78.
            On SIGTERM requests in flight may finish within limits.shutdownGrace (default 10s).
            """
    )

    @Option(name: .long, help: ArgumentHelp("The configuration file, YAML or JSON.", valueName: "file"))
    var config: String?

    @Option(name: .long, help: ArgumentHelp("The address to listen on; port 0 picks a free port.", valueName: "host:port"))
    var listen: String?

    func run() async throws {
        let loader = ConfigurationLoader()
        let configuration: AppConfiguration
        do {
            configuration = try loader.load(file: loader.configurationFile(option: config), listen: listen)
        } catch {
            Terminal.printError("scanrelay: the configuration cannot be used:\n\(error)")
            throw ExitCode(ExitStatus.configuration)
        }
        LoggingSetup.bootstrap(format: configuration.logFormat, level: configuration.logLevel)
        let logger = Logger(label: "scanrelay")
        switch AllocatorTuning.apply(environment: ProcessInfo.processInfo.environment) {
        case .applied: break
        case .leftToEnvironment: logger.info("malloc thresholds left to the environment (GLIBC_TUNABLES or MALLOC_*_THRESHOLD_)")
        case .refusedByAllocator: logger.notice("malloc thresholds not set: the allocator is not glibc's and refused mallopt")
        }
        do {
            let application = try ScanRelayApplication(configuration: configuration, logger: logger)
            try await application.run()
        } catch {
            logger.critical("scanrelay stopped: \(error)")
            throw ExitCode.failure
        }
    }
}
