import ArgumentParser
import ScanRelayApp

/// `scanrelay check-config FILE`: the same loading and validation `serve` does, without serving.
struct CheckConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Validate a configuration file and say exactly what is wrong.",
        discussion: """
            Prints one problem per line, FILE:LINE: key.path: what is wrong and what would be valid, and exits \
            with 1; prints "FILE: OK" and exits with 0 when the file is valid. SCANRELAY_* variables and ${VAR} \
            references are resolved from the environment, as serve would.
            """
    )

    @Argument(help: ArgumentHelp("The configuration file, YAML or JSON.", valueName: "file"))
    var file: String

    func run() throws {
        do {
            _ = try ConfigurationLoader().load(file: file)
            print("\(file): OK")
        } catch {
            print(error.description)
            throw ExitCode.failure
        }
    }
}
