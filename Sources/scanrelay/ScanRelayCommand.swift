import ArgumentParser
import Foundation

/// `scanrelay`: the service and its companion tools. `serve` is the default subcommand.
@main
struct ScanRelayCommand: AsyncParsableCommand {
    static let version = "0.1.0"

    static let configuration = CommandConfiguration(
        commandName: "scanrelay",
        abstract: "Receive scanner webhooks, poll scanner APIs, and serve normalized scan results.",
        discussion: """
            Without a subcommand, scanrelay runs `serve`. Every command answers --help.

            Exit status: 0 success; 1 a check failed (check-config problems, wait findings); 2 a scan failed or \
            `wait` timed out; 3 a usage or connection error.
            """,
        version: version,
        subcommands: [
            ServeCommand.self, CheckConfigCommand.self, WaitCommand.self, DemoCommand.self, HealthcheckCommand.self,
        ],
        defaultSubcommand: ServeCommand.self
    )

    /// Parses and runs like ArgumentParser's own `main()`, except that usage errors exit with 3 (the documented code
    /// for CI scripts) instead of EX_USAGE (64).
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            guard exitCode(for: error) == .validationFailure else { exit(withError: error) }
            Terminal.printError(fullMessage(for: error))
            Foundation.exit(ExitStatus.usageOrConnection)
        }
    }
}

/// The exit statuses scripts rely on (README, `wait`).
enum ExitStatus {
    static let pass: Int32 = 0
    static let findings: Int32 = 1
    static let scanFailedOrTimeout: Int32 = 2
    static let usageOrConnection: Int32 = 3
    /// `serve` with a configuration that cannot be used (sysexits' EX_CONFIG, which systemd also names so).
    static let configuration: Int32 = 78
}
