import ArgumentParser
import Foundation
import ScanRelayApp

/// `scanrelay wait`: a CI gate that follows a scan through ScanRelay and exits with its verdict.
struct WaitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "wait",
        abstract: "Wait for a scan (or an image's newest scan) to finish, and exit with its verdict.",
        discussion: """
            Follows the scan through the service's API with long-polls (no tight loop). With --image, follows the \
            newest scan of that image, switching when a newer one appears; an SBOM scan gives no verdict and is \
            passed over. A multi-arch index (known to the service from a watch on it) has a verdict once every child \
            image has a final scan: the worst child's. Progress goes to standard error (one \
            redrawn line on a terminal, a line per change otherwise); the verdict to standard output.

            Exit status:
              0  the scan completed and nothing is at or above --fail-on (without --fail-on: it completed)
              1  the scan completed with findings at or above --fail-on
              2  the scan failed, was cancelled, was not found, is unknown, or the timeout passed
              3  usage error, or the service could not be reached or refused the token

            Example: scanrelay wait --server http://scanrelay:8080 --image sha256:abc --fail-on high --timeout 1h
            """
    )

    @Option(help: ArgumentHelp("The ScanRelay service, e.g. http://127.0.0.1:8080.", valueName: "url"))
    var server: String

    @Option(help: ArgumentHelp("The scan id, <source>:<upstream id>.", valueName: "id"))
    var scan: String?

    @Option(help: ArgumentHelp("An image id: follow its newest scan.", valueName: "id"))
    var image: String?

    @Option(help: ArgumentHelp("Give up after this long (exit 2).", valueName: "duration"))
    var timeout = DurationArgument(.seconds(30 * 60))

    @Option(name: .customLong("fail-on"), help: ArgumentHelp("Exit 1 when findings at or above this severity exist.", valueName: "severity"))
    var failOn: WaitVerdict.Threshold?

    @Option(help: ArgumentHelp("Bearer token with read scope; default $SCANRELAY_TOKEN.", valueName: "token"))
    var token: String?

    func validate() throws {
        guard (scan == nil) != (image == nil) else { throw ValidationError("give exactly one of --scan ID or --image ID") }
        guard serverURL != nil else { throw ValidationError("--server must be an http or https URL, e.g. http://127.0.0.1:8080") }
        if let id = scan ?? image, id.isEmpty { throw ValidationError("the id must not be empty") }
    }

    func run() async throws {
        guard let serverURL else { throw ExitCode(ExitStatus.usageOrConnection) }
        let environmentToken = ProcessInfo.processInfo.environment["SCANRELAY_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let client = ServiceClient(server: serverURL, token: token ?? environmentToken)
        let target: ScanFollower.Target = scan.map { .scan($0) } ?? .image(image ?? "")
        var follower = ScanFollower(
            client: client, target: target, deadline: ContinuousClock.now + timeout.duration, progress: WaitProgress())
        let outcome: ScanFollower.Outcome
        do {
            outcome = try await follower.run()
        } catch {
            follower.progress.finish()
            Terminal.printError("error: " + UntrustedText.escaped("\(error)"))
            throw ExitCode(ExitStatus.usageOrConnection)
        }
        follower.progress.finish()
        let verdict: WaitVerdict
        switch outcome {
        case .final(let snapshot):
            verdict = .final(snapshot, failOn: failOn)
        case .finalIndex(let imageId, let children):
            verdict = .index(imageId, children: children, failOn: failOn)
        case .timedOut(let last):
            verdict = .timedOut(after: timeout.defaultValueDescription, last: last, following: scan ?? "image \(image ?? "")")
        }
        if let warning = verdict.warning { Terminal.printError(warning) }
        print(verdict.message)
        if verdict.exitStatus != ExitStatus.pass { throw ExitCode(verdict.exitStatus) }
    }

    private var serverURL: URL? {
        guard let url = URL(string: server), let scheme = url.scheme, ["http", "https"].contains(scheme), url.host != nil else {
            return nil
        }
        return url
    }
}

extension WaitVerdict.Threshold: ExpressibleByArgument {}
