import Foundation
import Testing

@Suite("SIGTERM to a running `scanrelay serve`")
struct GracefulShutdownTests {
    /// A configuration with one relay source, so a scan can be put in the cache over HTTP.
    static func configFile() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("scanrelay-shutdown-\(UUID().uuidString).yaml")
        try """
            limits: { shutdownGrace: 5s }
            sources:
              - { name: relay, provider: scanrelay, webhook: { verify: none } }
            """.write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    @Test func inFlightLongPoll_IsAnswered_AndTheProcessExitsZero() async throws {
        let config = try Self.configFile()
        defer { try? FileManager.default.removeItem(at: config) }
        let (serve, port) = try await StreamedProcess.serve(["--config", config.path])
        let seeded = try await httpRequest(
            port: port, "POST", "/v1/webhooks/relay", headers: [("Content-Type", "application/json")],
            body: Array(#"{"type":"scan.updated","data":{"upstreamId":"u1","subject":{"imageId":"i1"},"status":"running"}}"#.utf8))
        #expect(seeded.status == 202)

        async let held = httpRequest(port: port, "GET", "/v1/scans/relay:u1?wait=120s")
        // Requests on other connections answered after the long-poll was sent: it has reached the server by then.
        for _ in 0..<3 { #expect(try await httpRequest(port: port, "GET", "/healthz").status == 200) }

        let status = try await serve.stop()
        let answer = try await held
        #expect(answer.status == 200)
        #expect(answer.json["id"] as? String == "relay:u1")
        #expect(status == 0)
    }

    @Test func sigterm_WithNothingInFlight_ExitsZero() async throws {
        let (serve, port) = try await StreamedProcess.serve()
        #expect(try await httpRequest(port: port, "GET", "/readyz").status == 200)
        try await serve.expectCleanStop()
    }
}
