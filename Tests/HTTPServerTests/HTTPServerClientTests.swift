import ChildProcesses
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import HTTPServer
import Testing

/// Real clients: Foundation's URLSession and the curl command line.
@Suite struct HTTPServerClientTests {
    func url(_ server: HTTPServer, _ path: String) -> URL { URL(string: "http://127.0.0.1:\(server.localPort)\(path)")! }

    @Test func urlSessionGets() async throws {
        try await withServer { server in
            let (data, response) = try await URLSession.shared.data(from: url(server, "/hello"))
            #expect((response as? HTTPURLResponse)?.statusCode == 200)
            #expect(String(decoding: data, as: UTF8.self) == "hello")
        }
    }

    @Test func urlSessionPosts_AndTheBodyIsEchoed() async throws {
        try await withServer { server in
            var request = URLRequest(url: url(server, "/echo"))
            request.httpMethod = "POST"
            let body = Data((0..<100_000).map { UInt8(truncatingIfNeeded: $0) })
            let (data, response) = try await URLSession.shared.upload(for: request, from: body)
            #expect((response as? HTTPURLResponse)?.value(forHTTPHeaderField: "X-Method") == "POST")
            #expect(data == body)
        }
    }

    @Test func urlSession_ReusesOneKeepAliveConnection() async throws {
        let counter = ConnectionCounter()
        try await withServer(observer: counter) { server in
            let configuration = URLSessionConfiguration.ephemeral
            configuration.httpMaximumConnectionsPerHost = 1
            let session = URLSession(configuration: configuration)
            defer { session.finishTasksAndInvalidate() }
            for _ in 0..<5 {
                let (data, _) = try await session.data(from: url(server, "/hello"))
                #expect(String(decoding: data, as: UTF8.self) == "hello")
            }
            #expect(counter.opened("http/1.1") == 1)
        }
    }

    @Test func curlGets() async throws {
        try await withServer { server in
            let output = try await curl(["-sS", "-i", url(server, "/hello").absoluteString])
            #expect(output.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(output.hasSuffix("\r\n\r\nhello"))
        }
    }

    @Test func curlPosts() async throws {
        try await withServer { server in
            let output = try await curl(["-sS", "--data-binary", "from curl", url(server, "/echo").absoluteString])
            #expect(output == "from curl")
        }
    }

    @Test func theServerListensOnIPv6_AndReportsThePeerAsSuch() async throws {
        try await withServer({ $0.host = "::1" }) { server in
            let output = try await curl(["-sS", "-g", "http://[::1]:\(server.localPort)/remote"])
            #expect(output == "::1")
        }
    }

    @Test func theObserverSeesEachConnectionOpenAndClose() async throws {
        let counter = ConnectionCounter()
        try await withServer(observer: counter) { server in
            for _ in 0..<3 {
                let client = try RawClient(port: server.localPort)
                client.send("GET /hello HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                #expect(try client.readResponse().status == 200)
            }
            #expect(await eventually { counter.closed("http/1.1") == 3 })
            #expect(counter.opened("http/1.1") == 3)
        }
    }

    private func curl(_ arguments: [String]) async throws -> String {
        let result = try await ChildProcess.run("curl", ["--max-time", "10"] + arguments)
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }
}
