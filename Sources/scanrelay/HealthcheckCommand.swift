import ArgumentParser
import CurlClient
import Foundation

/// `scanrelay healthcheck`: exits 0 when the service answers `/readyz` with 200. For the container HEALTHCHECK,
/// so the runtime image needs no curl.
struct HealthcheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "healthcheck",
        abstract: "Exit 0 when the local service is ready (for container health checks).",
        shouldDisplay: false
    )

    @Option(help: ArgumentHelp("The readiness URL; default: /readyz on $SCANRELAY_LISTEN (or 127.0.0.1:8080).", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("How long to wait for the answer.", valueName: "duration"))
    var timeout: DurationArgument = DurationArgument(.seconds(5))

    func run() async throws {
        guard let target = URL(string: url ?? Self.defaultURL(environment: ProcessInfo.processInfo.environment)) else {
            throw ValidationError("--url must be an absolute URL")
        }
        // The local service, never through a proxy the container's environment may name.
        let request = CurlRequest(url: target.absoluteString, timeout: timeout.duration, maxBodyBytes: 64 << 10)
        let status: Int
        do {
            status = try await CurlHTTPClient.shared.send(request, options: CurlOptions(proxy: .none)).status
        } catch {
            Terminal.printError("unhealthy: \(target.absoluteString): \(error)")
            throw ExitCode.failure
        }
        guard status == 200 else {
            Terminal.printError("unhealthy: \(target.absoluteString) answered \(status)")
            throw ExitCode.failure
        }
    }

    /// `/readyz` on the address the service listens on; a wildcard bind is probed on loopback.
    static func defaultURL(environment: [String: String]) -> String {
        let listen = environment["SCANRELAY_LISTEN"].flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1:8080"
        guard let colon = listen.lastIndex(of: ":") else { return "http://127.0.0.1:8080/readyz" }
        var host = String(listen[..<colon])
        let port = listen[listen.index(after: colon)...]
        switch host {
        case "0.0.0.0", "": host = "127.0.0.1"
        case "[::]": host = "[::1]"
        default: break
        }
        return "http://\(host):\(port)/readyz"
    }
}
