import ArgumentParser

/// `scanrelay demo`: the service with simulated upstreams, sample watches and signed webhooks.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the service with simulated Binarly, Yandex and OpsMx upstreams and print curl lines to try."
    )

    @Option(help: ArgumentHelp("The address to listen on.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    func run() async throws {
        Terminal.printError("demo: not available yet")
        throw ExitCode.failure
    }
}
