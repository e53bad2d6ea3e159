import HTTPServer
import Testing

/// Exact bytes on the wire, read back exactly.
@Suite struct HTTPServerRawSocketTests {
    @Test func threePipelinedRequests_AreAnsweredInOrder_AndTheLastWithConnectionClose_ClosesTheConnection() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send(
                "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\n\r\nsecond"
                    + "GET /slow HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            let first = try client.readResponse()
            let second = try client.readResponse()
            let third = try client.readResponse()
            #expect([first.text, second.text, third.text] == ["hello", "second", "slow done"])
            #expect(first.header("Connection") == nil)
            #expect(third.header("Connection") == "close")
            #expect(client.isClosedByPeer())
        }
    }

    @Test(arguments: [
        ("GET / HTTP/1.1\nHost: x\n\n", 400),
        ("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nX-Folded: a\r\n b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/3.0\r\nHost: x\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n", 400),
        ("GET /\0 HTTP/1.1\r\nHost: x\r\n\r\n", 400),
    ])
    func aMalformedRequest_IsAnsweredWithItsStatusAsProblemJSON_ThenClosed(request: String, status: Int) async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send(request)
            let response = try client.readResponse()
            #expect(response.status == status)
            #expect(response.header("Content-Type") == "application/problem+json")
            #expect(response.header("Connection") == "close")
            #expect(response.text.contains("\"status\":\(status)"))
            #expect(client.isClosedByPeer())
        }
    }

    @Test func aClientThatHalfClosesAfterItsRequest_StillGetsTheResponse() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /slow HTTP/1.1\r\nHost: x\r\n\r\n")
            client.shutdownWrite()
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "slow done")
            #expect(client.isClosedByPeer())
        }
    }

    @Test func expectContinue_Gets100BeforeTheBodyIsSent() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n")
            let interim = try client.readResponse(expectBody: false)
            #expect(interim.status == 100)
            client.send("ping")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "ping")
        }
    }

    @Test func aChunkedRequestBody_ReachesTheHandlerDecoded() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")
            #expect(try client.readResponse().text == "hello world")
        }
    }

    @Test func aStreamedResponse_IsChunked_AndTheConnectionStaysUsable() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /stream HTTP/1.1\r\nHost: x\r\n\r\n")
            let streamed = try client.readResponse()
            #expect(streamed.header("Transfer-Encoding") == "chunked")
            #expect(streamed.header("Content-Length") == nil)
            #expect(streamed.text == "one two three")
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func aHeadRequest_GetsTheContentLength_ButNoBody() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("HEAD /hello HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let head = try client.readResponse(expectBody: false)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "5")
            // Had the HEAD response carried a body, this would read "hello" as a malformed status line.
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func anHTTP10Request_IsAnsweredAndClosed_UnlessItAsksForKeepAlive() async throws {
        try await withServer { server in
            let plain = try RawClient(port: server.localPort)
            plain.send("GET /hello HTTP/1.0\r\n\r\n")
            let response = try plain.readResponse()
            #expect(response.text == "hello")
            #expect(response.header("Connection") == "close")
            #expect(plain.isClosedByPeer())

            let keepAlive = try RawClient(port: server.localPort)
            keepAlive.send("GET /hello HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
            #expect(try keepAlive.readResponse().header("Connection") == "keep-alive")
            keepAlive.send("GET /hello HTTP/1.0\r\n\r\n")
            #expect(try keepAlive.readResponse().text == "hello")
        }
    }

    @Test func anHTTP10StreamedResponse_RunsUntilTheConnectionCloses() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /stream HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Transfer-Encoding") == nil)
            #expect(response.text == "one two three")
        }
    }

    @Test func aNoContentResponse_HasNeitherBodyNorLength() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /no-content HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let empty = try client.readResponse()
            #expect(empty.status == 204)
            #expect(empty.header("Content-Length") == nil)
            #expect(try client.readResponse().text == "hello")
        }
    }

    @Test func theRequestCarriesThePeersAddress() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /remote HTTP/1.1\r\nHost: x\r\n\r\n")
            #expect(try client.readResponse().text == "127.0.0.1")
        }
    }

    @Test func everyResponse_CarriesServerAndDate() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.header("Server") == "scanrelay")
            #expect(response.header("Date")?.hasSuffix(" GMT") == true)
        }
    }

    @Test func aHandlerThatSaysConnectionClose_GetsTheConnectionClosedAfterItsResponse() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /bye HTTP/1.1\r\nHost: x\r\n\r\nGET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.text == "bye")
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByPeer())
        }
    }
}
