import Glibc
import HTTPCore
import HTTPServer
import Testing

/// `beginGracefulShutdown`: refuse new connections, finish what is in flight, close the rest.
@Suite struct HTTPServerShutdownTests {
    /// Tells the test when a request reached its handler, then answers once `release` yields (or after `delay`).
    struct SignallingResponder: HTTPResponder {
        var delay = Duration.zero
        var release: AsyncStream<Void>?
        let entered: AsyncStream<Void>.Continuation

        func respond(to request: HTTPRequest) async -> HTTPResponse {
            entered.yield()
            if let release {
                for await _ in release { break }
            }
            try? await Task.sleep(for: delay)
            return .text("finished")
        }
    }

    @Test func aRequestInFlight_CompletesAfterShutdownBegins_AndNewConnectionsAreRefused() async throws {
        let (entered, signal) = AsyncStream<Void>.makeStream()
        let (release, releaser) = AsyncStream<Void>.makeStream()
        try await withServer(responder: SignallingResponder(release: release, entered: signal)) { server in
            let port = server.localPort
            let client = try RawClient(port: port)
            client.send("GET /work HTTP/1.1\r\nHost: x\r\n\r\n")
            var iterator = entered.makeAsyncIterator()
            await iterator.next()

            server.beginGracefulShutdown()
            #expect(throws: RawClient.Failure.connect(ECONNREFUSED)) { try RawClient(port: port) }
            releaser.yield()

            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "finished")
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByPeer())
            try await server.run()
        }
    }

    @Test func aHalfReceivedRequest_MayStillFinish_AndIsAnsweredWithConnectionClose() async throws {
        let (_, signal) = AsyncStream<Void>.makeStream()
        try await withServer(responder: SignallingResponder(entered: signal)) { server in
            let client = try RawClient(port: server.localPort)
            client.send("POST /work HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\n\r\nab")
            #expect(await eventually { await server.statistics().openConnections == 1 })
            server.beginGracefulShutdown()
            client.send("cd")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            try await server.run()
        }
    }

    @Test func idleKeepAliveConnections_AreClosedAtOnce_AndRunReturns() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            server.beginGracefulShutdown()
            #expect(client.isClosedByPeer())
            try await server.run()
        }
    }

    @Test func requestsOutlivingTheGrace_AreCutOff_AndRunReturns() async throws {
        let (_, signal) = AsyncStream<Void>.makeStream()
        try await withServer(responder: SignallingResponder(delay: .seconds(60), entered: signal), { $0.shutdownGrace = .milliseconds(300) }) { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /work HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(await eventually { await server.statistics().openConnections == 1 })
            server.beginGracefulShutdown()
            try await server.run()
            #expect(try client.readToEnd().isEmpty)
        }
    }
}
