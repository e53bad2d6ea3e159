import Foundation
import HTTPCore
import HTTPServer
import Testing

/// The real server on a real socket, spoken to by real HTTP/2 clients: curl, nghttp and Python's h2.
@Suite(.timeLimit(.minutes(2)))
struct HTTP2RealClientTests {
    private func url(_ server: HTTPServer, _ path: String) -> String { "http://127.0.0.1:\(server.localPort)\(path)" }

    @Test func curl_PriorKnowledge_Get() async throws {
        try await withLiveServer { server in
            let result = try await runTool(["curl", "-sS", "--http2-prior-knowledge", "-w", "\n%{http_version} %{response_code}",
                                            url(server, "/hello")])
            #expect(result.status == 0)
            #expect(result.output == "hello\n2 200")
        }
    }

    @Test func curl_PriorKnowledge_PostEchoesTheBody() async throws {
        let body = Data((0..<300_000).map { UInt8($0 % 251) })
        try await withLiveServer { server in
            let result = try await runTool(["curl", "-sS", "--http2-prior-knowledge", "--data-binary", "@-",
                                            "-H", "Content-Type: application/octet-stream", "-o", "/dev/null",
                                            "-w", "%{http_version} %{response_code} %{size_download}", url(server, "/echo")],
                                           input: body)
            #expect(result.output == "2 200 300000")
        }
    }

    @Test func curl_UpgradeFromHTTP1_IsAnsweredOverHTTP2() async throws {
        try await withLiveServer { server in
            let result = try await runTool(["curl", "-sS", "--http2", "-D", "-", "-w", "\n%{http_version}", url(server, "/echo")])
            #expect(result.status == 0)
            #expect(result.output.contains("101 Switching Protocols"))
            #expect(result.output.contains("x-version: HTTP/2"))
            #expect(result.output.hasSuffix("\n2"))
        }
    }

    @Test func nghttp_PriorKnowledge_SeesSettingsAndA200() async throws {
        try await withLiveServer { server in
            let result = try await runTool(["nghttp", "-nv", url(server, "/hello")])
            #expect(result.status == 0)
            #expect(result.output.contains("recv SETTINGS frame"))
            #expect(result.output.contains("[SETTINGS_MAX_CONCURRENT_STREAMS(0x03):100]"))
            #expect(result.output.contains(":status: 200"))
        }
    }

    @Test func nghttp_Upgrade_GetsThe101ThenStream1() async throws {
        try await withLiveServer { server in
            let result = try await runTool(["nghttp", "-nvu", url(server, "/hello")])
            #expect(result.status == 0)
            #expect(result.output.contains("HTTP Upgrade response"))
            #expect(result.output.contains("HTTP Upgrade success"))
            #expect(result.output.contains(":status: 200"))
        }
    }

    @Test(arguments: ["concurrent", "large", "upload"])
    func pythonH2_Scenario(_ scenario: String) async throws {
        try await withLiveServer { server in
            let result = try await runTool(["python3", h2ClientScript, String(server.localPort), scenario])
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output.hasPrefix("ok"))
        }
    }

    @Test func pythonH2_ResetMidStream_MakesTheProducersWriteThrow() async throws {
        let routes = LiveRoutes()
        try await withLiveServer(responder: routes) { server in
            let result = try await runTool(["python3", h2ClientScript, String(server.localPort), "reset"])
            #expect(result.status == 0, "\(result.output)")
            await routes.endlessStopped.wait()
        }
    }

    @Test func pythonH2_GracefulShutdown_SendsGoawayAndFinishesTheStream() async throws {
        let routes = LiveRoutes()
        try await withLiveServer(responder: routes) { server in
            async let client = runTool(["python3", h2ClientScript, String(server.localPort), "goaway"])
            await routes.holdArrived.wait()
            server.beginGracefulShutdown()
            // The loops hear of the shutdown through their job queues; a job queued behind it has run once the
            // statistics come back. Released before that, the stream could finish first, and an idle connection
            // rightly gets the final GOAWAY at once instead of the notice this test is about.
            _ = await server.statistics()
            routes.holdRelease.open()
            let result = try await client
            #expect(result.status == 0, "\(result.output)")
        }
    }
}
