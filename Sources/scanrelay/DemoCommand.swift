import ArgumentParser
import Foundation
import Logging
import ScanRelayApp

/// `scanrelay demo`: the service with simulated upstreams, sample watches and signed webhooks, until Ctrl-C.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the service with simulated Binarly, Yandex and OpsMx upstreams and print curl lines to try.",
        discussion: """
            Starts the scanners' simulations on free local ports, the service on --listen with them as sources and \
            a poll schedule in seconds, creates watches of a small and a large image, sends signed sample webhooks, \
            and prints curl command lines that show the results as they arrive. Runs until Ctrl-C.
            """
    )

    @Option(help: ArgumentHelp("The address to listen on; port 0 picks a free port.", valueName: "host:port"))
    var listen = "127.0.0.1:8080"

    func validate() throws {
        guard ListenAddress(parsing: listen) != nil else { throw ValidationError("--listen must be HOST:PORT, e.g. 127.0.0.1:8080") }
    }

    func run() async throws {
        guard let address = ListenAddress(parsing: listen) else { throw ExitCode(ExitStatus.usageOrConnection) }
        // Notice and above: the access log of every curl would drown the guide.
        LoggingSetup.bootstrap(format: .text, level: .notice)
        var upstreams = DemoUpstreams()
        try await upstreams.start()
        defer { upstreams.stop() }
        let secrets = DemoConfiguration.Secrets()
        let configuration = DemoConfiguration.make(listen: address, upstreams: upstreams, secrets: secrets)
        let logger = Logger(label: "scanrelay")

        let application: ScanRelayApplication
        do {
            application = try ScanRelayApplication(configuration: configuration, logger: logger)
            try application.start()
        } catch {
            Terminal.printError("demo: cannot start the service: \(error)")
            throw ExitCode.failure
        }
        let host = address.host.contains(":") ? "[\(address.host)]" : address.host
        let base = "http://\(host):\(application.localPort)"
        let traffic = DemoTraffic(service: URL(string: base)!, upstreams: upstreams, secrets: secrets)
        do {
            try await traffic.run()
        } catch {
            Terminal.printError("demo: sample traffic failed: \(error)")
            throw ExitCode.failure
        }
        // Written unbuffered: when piped, the guide must not wait in a buffer until the demo ends.
        FileHandle.standardOutput.write(Data((DemoGuide(base: base, upstreams: upstreams, secrets: secrets).text + "\n").utf8))
        try await application.run()
    }
}
