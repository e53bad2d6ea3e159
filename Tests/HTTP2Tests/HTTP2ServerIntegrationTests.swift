import Foundation
import HTTPCore
import HTTPServer
import Testing

/// HTTP/2 inside the server: protocol detection, the observer, timeouts, and one behaviour for both protocols.
@Suite(.timeLimit(.minutes(2)))
struct HTTP2ServerIntegrationTests {
    private func url(_ server: HTTPServer, _ path: String) -> String { "http://127.0.0.1:\(server.localPort)\(path)" }

    /// Header fields (names lower-cased, sorted, minus the per-protocol and per-moment ones), then the body and
    /// curl's status and content type, for comparing one exchange over both protocols.
    private func exchange(_ server: HTTPServer, _ protocolFlag: String, _ arguments: [String]) async throws -> String {
        let result = try await runTool(["curl", "-sS", protocolFlag, "-D", "-", "-w", "\n%{response_code} %{content_type}"]
                                       + arguments)
        #expect(result.status == 0, "\(result.output)")
        let parts = result.output.components(separatedBy: "\r\n\r\n")
        let ignored: Set<String> = ["date", "content-length", "connection", "keep-alive", "server"]
        let fields = parts[0].components(separatedBy: "\r\n").dropFirst().compactMap { line -> String? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            let name = line[..<colon].lowercased()
            return ignored.contains(name) ? nil : name + ":" + line[colon...].dropFirst().trimmingCharacters(in: .whitespaces)
        }
        return (fields.sorted() + parts.dropFirst()).joined(separator: "\n")
    }

    @Test(arguments: [
        ["/hello"],
        ["-X", "POST", "--data-binary", "scan payload", "-H", "Content-Type: application/json", "/echo"],
        ["/missing"],
        ["--head", "/hello"],
    ])
    func everyRoute_AnswersTheSame_OverHTTP1AndHTTP2(_ arguments: [String]) async throws {
        try await withLiveServer(responder: LiveRoutes(versionBlind: true)) { server in
            let request = arguments.dropLast() + [url(server, arguments.last!)]
            let http1 = try await exchange(server, "--http1.1", Array(request))
            let http2 = try await exchange(server, "--http2-prior-knowledge", Array(request))
            #expect(http1 == http2)
            #expect(!http2.isEmpty)
        }
    }

    @Test func observer_SeesAnH2Connection_OpenAndClose() async throws {
        let observer = ProtocolObserver()
        try await withLiveServer(observer: observer) { server in
            let result = try await runTool(["curl", "-sS", "--http2-prior-knowledge", url(server, "/hello")])
            #expect(result.output == "hello")
            await observer.h2Closed.wait()
            #expect(observer.log.contains("open h2"))
        }
    }

    @Test func responsesFinishedInOneLoopTurn_LeaveInOneWrite() async throws {
        try await withLiveServer { server in
            let before = await server.statistics().socketWrites
            let result = try await runTool(["python3", h2ClientScript, String(server.localPort), "batches"])
            #expect(result.status == 0, "\(result.output)")
            let writes = await server.statistics().socketWrites - before
            // 200 responses in rounds of ten: about one write per round plus the handshake's, not one per response.
            #expect(writes >= 20 && writes < 60, "\(writes) writes for 20 rounds of 10 responses")
        }
    }

    @Test func idleConnection_GetsGoaway_WhenTheIdleTimeoutExpires() async throws {
        try await withLiveServer({ $0.idleTimeout = .milliseconds(300) }) { server in
            let result = try await runTool(["python3", h2ClientScript, String(server.localPort), "idle"])
            #expect(result.status == 0, "\(result.output)")
        }
    }

    @Test func stalledConnection_GetsGoaway_WhenTheHeaderTimeoutExpires() async throws {
        try await withLiveServer({ $0.headerTimeout = .milliseconds(300) }) { server in
            let result = try await runTool(["python3", h2ClientScript, String(server.localPort), "stall"])
            #expect(result.status == 0, "\(result.output)")
        }
    }
}
