import HTTPServer
import Testing

@Suite struct HTTPServerSmokeTests {
    @Test func aGetIsAnswered() async throws {
        try await withServer { server in
            let client = try RawClient(port: server.localPort)
            client.send("GET /hello HTTP/1.1\r\nHost: x\r\n\r\n")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "hello")
        }
    }
}
