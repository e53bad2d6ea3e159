import Foundation
import Testing
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// `scanrelay serve` and `healthcheck` as the built binary: address reporting, JSON logs, graceful stop.
@Suite struct CLIServeTests {
    @Test func jsonLogLinesCarryTheRequestId() async throws {
        let (serve, port) = try await StreamedProcess.serve(environment: ["SCANRELAY_LOG_FORMAT": "json"])
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/healthz")!)
        request.setValue("cli-test-request-1", forHTTPHeaderField: "X-Request-Id")
        let (_, response) = try await URLSession.shared.data(for: request)
        #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Request-Id") == "cli-test-request-1")

        let line = try #require(await serve.line { $0.contains("cli-test-request-1") })
        let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
        #expect(object["request_id"] as? String == "cli-test-request-1")
        #expect(object["level"] as? String == "info" && object["label"] as? String == "scanrelay")
        #expect(object["path"] as? String == "/healthz" && object["status"] as? Int == 200)
        #expect(object["timestamp"] is String && object["message"] is String)
        try await serve.expectCleanStop()
        // Every line the service wrote was one JSON object.
        for text in serve.errors.all {
            #expect((try? JSONSerialization.jsonObject(with: Data(text.utf8))) is [String: Any], "not JSON: \(text)")
        }
    }

    @Test func healthcheckExitsZeroWhenReadyAndOneWhenUnreachable() async throws {
        let (serve, port) = try await StreamedProcess.serve()
        let ready = try await CLIProcess.run(["healthcheck"], environment: ["SCANRELAY_LISTEN": "0.0.0.0:\(port)"])
        #expect(ready.status == 0, "\(ready.stderr)")
        try await serve.expectCleanStop()
        let down = try await CLIProcess.run(["healthcheck", "--url", "http://127.0.0.1:\(port)/readyz", "--timeout", "2s"])
        #expect(down.status == 1)
        #expect(down.stderr.hasPrefix("unhealthy: http://127.0.0.1:\(port)/readyz"))
    }
}
