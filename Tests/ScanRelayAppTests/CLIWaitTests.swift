import ChildProcesses
import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `scanrelay wait` against a real `scanrelay serve`, scans fed in through the service's own webhook endpoint.
@Suite struct CLIWaitTests {
    static let configuration = "sources:\n  - { name: relay, provider: scanrelay, webhook: { verify: none } }\n"

    /// A running service with a `scanrelay` source named `relay`, stopped when released.
    final class Service {
        let directory: ConfigurationFixtures.TemporaryDirectory
        let serve: StreamedProcess
        let url: String

        init(environment: [String: String] = [:]) async throws {
            directory = try ConfigurationFixtures.TemporaryDirectory()
            let file = try directory.write("scanrelay.yaml", CLIWaitTests.configuration)
            let (serve, port) = try await StreamedProcess.serve(["--config", file], environment: environment)
            self.serve = serve
            url = "http://127.0.0.1:\(port)"
        }

        deinit { serve.signal(SIGTERM) }

        /// Posts a `scan.updated` (or `scan.completed`) event for `relay:<upstreamId>`.
        /// `upstreamStatusJSON` is a JSON value written into the body as it is.
        func post(_ upstreamId: String, image: String = "img-1", status: String, findings: String? = nil, createdAt: String = "2026-01-01T00:00:00Z", upstreamStatusJSON: String = "null") async throws {
            let findingsJSON = findings ?? "null"
            let type = ["completed", "failed", "cancelled", "not_found"].contains(status) ? "scan.completed" : "scan.updated"
            let body = """
                {"type": "\(type)", "data": {"upstreamId": "\(upstreamId)", "subject": {"imageId": "\(image)"}, \
                "status": "\(status)", "upstreamStatus": \(upstreamStatusJSON), "findings": \(findingsJSON), "createdAt": "\(createdAt)", \
                "upstreamUpdatedAt": "\(ISO8601DateFormatter().string(from: Date()))"}}
                """
            var request = URLRequest(url: URL(string: "\(url)/v1/webhooks/relay")!)
            request.httpMethod = "POST"
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            request.httpBody = Data(body.utf8)
            let (data, response) = try await URLSession.shared.data(for: request)
            let status = (response as? HTTPURLResponse)?.statusCode
            #expect(status == 202, "webhook answered \(status ?? 0): \(String(decoding: data, as: UTF8.self))")
        }

        func wait(_ arguments: [String], environment: [String: String] = [:]) async throws -> ChildResult {
            try await CLIProcess.run(["wait", "--server", url] + arguments, environment: environment)
        }
    }

    static func findings(critical: Int = 0, high: Int = 0, medium: Int = 0, low: Int = 0) -> String {
        let total = critical + high + medium + low
        return #"{"critical": \#(critical), "high": \#(high), "medium": \#(medium), "low": \#(low), "negligible": 0, "unknown": 0, "total": \#(total)}"#
    }

    /// The terminal-injection attack of issue 14: an upstream status that moves the cursor up, erases the FAIL line
    /// and prints a green PASS. `wait` must print it escaped, as visible text on the FAIL line.
    @Test func controlCharactersFromUpstreams_AreEscaped_NeverSentToTheTerminal() async throws {
        let service = try await Service()
        let forged = #""Error\n\u001b[1A\u001b[2K\u001b[32mPASS relay:s9 completed\u2028\u0085""#
        try await service.post("s9", status: "failed", upstreamStatusJSON: forged)
        let result = try await service.wait(["--scan", "relay:s9"])
        #expect(result.status == 2)
        let output = result.stdout + result.stderr
        #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x85 || $0.value == 0x2028 })
        #expect(result.stdout.split(separator: "\n").count == 1, "\(result.stdout)")
        #expect(result.stdout.hasPrefix("FAIL relay:s9 is failed (upstream status Error\\u{a}\\u{1b}[1A"), "\(result.stdout)")
    }

    @Test func aCompletedScanPassesWithoutFailOn() async throws {
        let service = try await Service()
        try await service.post("s1", status: "completed", findings: Self.findings(critical: 3))
        let result = try await service.wait(["--scan", "relay:s1"])
        #expect(result.status == 0)
        #expect(result.stdout == "PASS relay:s1 completed: critical 3, high 0, medium 0, low 0, negligible 0, unknown 0\n")
    }

    @Test func findingsAtOrAboveTheThresholdExitOneAndBelowItPass() async throws {
        let service = try await Service()
        try await service.post("s2", status: "completed", findings: Self.findings(high: 2, low: 5))
        let high = try await service.wait(["--scan", "relay:s2", "--fail-on", "high"])
        #expect(high.status == 1)
        #expect(high.stdout.hasPrefix("FAIL relay:s2 completed with 2 findings at or above high"))
        #expect(try await service.wait(["--scan", "relay:s2", "--fail-on", "critical"]).status == 0)
        #expect(try await service.wait(["--scan", "relay:s2", "--fail-on", "medium"]).status == 1)
        #expect(try await service.wait(["--scan", "relay:s2", "--fail-on", "low"]).status == 1)
    }

    @Test(arguments: ["failed", "cancelled"])
    func aScanThatDidNotCompleteExitsTwo(status: String) async throws {
        let service = try await Service()
        try await service.post("s3", status: status)
        let result = try await service.wait(["--scan", "relay:s3", "--fail-on", "low"])
        #expect(result.status == 2)
        #expect(result.stdout == "FAIL relay:s3 is \(status)\n")
    }

    @Test func aCompletedScanWithoutFindingsPassesWithAWarning() async throws {
        let service = try await Service()
        try await service.post("s4", status: "completed")
        let result = try await service.wait(["--scan", "relay:s4", "--fail-on", "high"])
        #expect(result.status == 0)
        #expect(result.stderr.contains("warning: relay:s4 completed without findings counts; passing"))
    }

    @Test func aRunningScanIsFollowedUntilItCompletes() async throws {
        let service = try await Service()
        try await service.post("s5", status: "running")
        let wait = try await StreamedProcess(["wait", "--server", service.url, "--scan", "relay:s5", "--fail-on", "critical"])
        // Not a terminal, so progress comes as plain lines; the first says the scan runs.
        #expect(await wait.line { $0.contains("relay:s5 running") } != nil)
        try await service.post("s5", status: "completed", findings: Self.findings(critical: 1))
        let result = try await wait.finish()
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("FAIL relay:s5 completed with 1 finding at or above critical"))
    }

    @Test func theTimeoutExitsTwoNamingTheLastState() async throws {
        let service = try await Service()
        try await service.post("s6", status: "running")
        let result = try await service.wait(["--scan", "relay:s6", "--timeout", "1500ms"])
        #expect(result.status == 2)
        #expect(result.stdout == "TIMEOUT after 1500ms: relay:s6 is still running\n")
    }

    @Test(arguments: ["not_found", "unknown"])
    func aScanStillNotFoundOrUnknownAtTheTimeoutExitsTwo(status: String) async throws {
        let service = try await Service()
        try await service.post("s8", status: status)
        let result = try await service.wait(["--scan", "relay:s8", "--timeout", "1s"])
        #expect(result.status == 2)
        #expect(result.stdout == "TIMEOUT after 1s: relay:s8 is still \(status)\n")
    }

    @Test func aScanTheServiceDoesNotKnowTimesOutWithTwo() async throws {
        let service = try await Service()
        let result = try await service.wait(["--scan", "relay:never", "--timeout", "1s"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("relay:never: not known to the service yet"))
    }

    @Test func anUnreachableServiceExitsThree() async throws {
        let result = try await CLIProcess.run(["wait", "--server", "http://127.0.0.1:1", "--scan", "relay:x", "--timeout", "1m"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("error: cannot reach http://127.0.0.1:1"))
    }

    @Test func aServiceWithTokensNeedsOneWithReadScope() async throws {
        let service = try await Service(environment: ["SCANRELAY_API_TOKENS": "reader-token:read"])
        try await service.post("s7", status: "completed", findings: Self.findings())
        let refused = try await service.wait(["--scan", "relay:s7"])
        #expect(refused.status == 3)
        #expect(refused.stderr.contains("refused the request (401)"))
        #expect(try await service.wait(["--scan", "relay:s7", "--token", "reader-token"]).status == 0)
        #expect(try await service.wait(["--scan", "relay:s7"], environment: ["SCANRELAY_TOKEN": "reader-token"]).status == 0)
    }

    @Test func anIdWithSlashesIsSentAsOnePathSegment() async throws {
        let service = try await Service()
        try await service.post("proj/docker/42", status: "completed", findings: Self.findings())
        let result = try await service.wait(["--scan", "relay:proj/docker/42"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("PASS relay:proj/docker/42 completed"))
    }

    @Test func anImageIsFollowedThroughItsNewestScan() async throws {
        let service = try await Service()
        try await service.post("old", image: "img-9", status: "completed", findings: Self.findings(), createdAt: "2026-01-01T00:00:00Z")
        try await service.post("new", image: "img-9", status: "running", createdAt: "2026-01-02T00:00:00Z")
        let wait = try await StreamedProcess(["wait", "--server", service.url, "--image", "img-9", "--fail-on", "high"])
        #expect(await wait.line { $0.contains("image img-9: relay:new running") } != nil)
        try await service.post("new", image: "img-9", status: "completed", findings: Self.findings(high: 1), createdAt: "2026-01-02T00:00:00Z")
        let result = try await wait.finish()
        #expect(result.status == 1)
        #expect(result.stdout.hasPrefix("FAIL relay:new completed with 1 finding at or above high"))
    }

    @Test func anImageWithoutScansTimesOutWithTwo() async throws {
        let service = try await Service()
        let result = try await service.wait(["--image", "img-none", "--timeout", "1s"])
        #expect(result.status == 2)
        #expect(result.stdout == "TIMEOUT after 1s: no scan of image img-none is known yet\n")
    }
}
