import HTTPServer
import Testing

/// Limits and timeouts against real sockets. Timeouts are short here; the state machine has its own pure tests.
@Suite struct HTTPServerLimitsTests {
    @Test func pastMaxConnections_ANewConnectionGets503AndIsClosed_WhileExistingOnesStillWork() async throws {
        try await withServer({ $0.maxConnections = 3 }) { server in
            let existing = try (0..<3).map { _ in try RawClient(port: server.localPort) }
            for client in existing {
                client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            let refused = try RawClient(port: server.localPort)
            let response = try refused.readResponse()
            #expect(response.status == 503)
            #expect(response.header("Connection") == "close")
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(refused.isClosedByPeer())

            existing[0].send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try existing[0].readResponse().text == "hello")
        }
    }

    @Test func slowlorisConnections_DoNotStopANormalClient_AndAreClosedAtTheHeaderTimeout() async throws {
        try await withServer({ $0.headerTimeout = .seconds(2) }) { server in
            let trickle = Array("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
            let slow = try (0..<200).map { _ in try RawClient(port: server.localPort) }
            let started = ContinuousClock.now
            for second in 0..<4 {
                for client in slow { client.send([trickle[second]]) }
                let normal = try RawClient(port: server.localPort)
                normal.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
                #expect(try normal.readResponse().text == "hello")
                try await Task.sleep(until: started + .seconds(second + 1))
            }
            for client in slow {
                #expect(try client.readResponse().status == 408)
                #expect(client.isClosedByPeer())
            }
            #expect(await eventually { await server.statistics().openConnections == 0 })
        }
    }

    @Test func aConnectionThatNeverSendsAByte_IsClosedSilentlyAtTheHeaderTimeout() async throws {
        try await withServer({ $0.headerTimeout = .milliseconds(500) }) { server in
            let client = try RawClient(port: server.localPort)
            #expect(try client.readToEnd().isEmpty)
        }
    }

    @Test func anIdleKeepAliveConnection_IsClosedAtTheIdleTimeout() async throws {
        try await withServer({ $0.idleTimeout = .milliseconds(500) }) { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().status == 200)
            #expect(client.isClosedByPeer())
        }
    }

    @Test func aStalledBody_IsAnswered408AtTheBodyTimeout() async throws {
        try await withServer({ $0.bodyTimeout = .milliseconds(500) }) { server in
            let client = try RawClient(port: server.localPort)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")
            #expect(try client.readResponse().status == 408)
            #expect(client.isClosedByPeer())
        }
    }

    @Test func aBodyOverTheLimit_Is413() async throws {
        try await withServer({ $0.limits.maxBodyBytes = 1024 }) { server in
            let client = try RawClient(port: server.localPort)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n" + String(repeating: "a", count: 5000))
            #expect(try client.readResponse().status == 413)
            #expect(client.isClosedByPeer())
        }
    }
}
