import ChildProcesses
import Foundation
import ScanCore
import Testing
@testable import ScanRelayApp

/// PRODUCT.md, "Caching by others": every response carries `Cache-Control` — `no-cache` where an `ETag` lets a
/// cache revalidate (`GET /v1/scans/{id}`, its `304`, `GET /openapi.yaml`), `no-store` everywhere else, errors
/// included, whether the router, a middleware or the server itself answered. Over HTTP/1.1 and HTTP/2.
@Suite("Cache-Control on every response")
struct CacheControlTests {
    static func start() async throws -> RunningApp {
        try await RunningApp.start { configuration in
            configuration.limits.maxBodyBytes = 4096
            configuration.sources = [
                SourceConfiguration(name: "relay", provider: .scanrelay, webhook: WebhookSettings(verify: .none)),
            ]
        }
    }

    @Test func scanWithAnETag_IsNoCache_AndSoIsIts304() async throws {
        let app = try await Self.start()
        app.seed(.make("s1", status: .running))
        let scan = try await app.get("/v1/scans/relay:s1")
        #expect(scan.status == 200)
        #expect(scan.header("Cache-Control") == "no-cache")
        let etag = try #require(scan.header("ETag"))
        let notModified = try await app.get("/v1/scans/relay:s1", headers: [("If-None-Match", etag)])
        #expect(notModified.status == 304)
        #expect(notModified.header("Cache-Control") == "no-cache")
        #expect(notModified.header("ETag") == etag)
        let head = try await app.request("HEAD", "/v1/scans/relay:s1")
        #expect(head.header("Cache-Control") == "no-cache")
        try await app.stop()
    }

    @Test func theSpec_HasAnETag_IsNoCache_AndRevalidates() async throws {
        let app = try await Self.start()
        let spec = try await app.get("/openapi.yaml")
        #expect(spec.status == 200)
        #expect(spec.header("Cache-Control") == "no-cache")
        let etag = try #require(spec.header("ETag"))
        let again = try await app.get("/openapi.yaml", headers: [("If-None-Match", etag)])
        #expect(again.status == 304)
        #expect(again.header("Cache-Control") == "no-cache")
        #expect(try await app.get("/openapi.yaml", headers: [("If-None-Match", "\"other\"")]).status == 200)
        try await app.stop()
    }

    @Test(arguments: [
        ("GET", "/v1/scans", 200), ("GET", "/v1/images/image-1/scans", 200), ("GET", "/v1/watches", 200),
        ("GET", "/healthz", 200), ("GET", "/readyz", 200), ("GET", "/metrics", 200),
        ("GET", "/v1/scans/relay:none", 404), ("GET", "/v1/scans?limit=5000", 400), ("GET", "/nowhere", 404),
        ("DELETE", "/v1/scans", 405), ("POST", "/v1/watches", 400), ("BREW", "/v1/scans", 501),
    ])
    func everythingWithoutAnETag_IsNoStore(method: String, target: String, status: Int) async throws {
        let app = try await Self.start()
        app.seed(.make("s1", status: .completed))
        let response = try await app.request(method, target, body: method == "POST" ? Array("not json".utf8) : [])
        #expect(response.status == status)
        #expect(response.header("ETag") == nil)
        #expect(response.header("Cache-Control") == "no-store", "\(method) \(target)")
        try await app.stop()
    }

    @Test func webhookAnswers_AndTheServersOwnRefusals_AreNoStore() async throws {
        let app = try await Self.start()
        let body = Array(#"{"type": "scan.updated", "data": {"upstreamId": "u1", "provider": "scanrelay", "subject": {"imageId": "i"}, "status": "running"}}"#.utf8)
        let accepted = try await app.request("POST", "/v1/webhooks/relay", headers: [("Content-Type", "application/json")], body: body)
        #expect(accepted.status == 202)
        #expect(accepted.header("Cache-Control") == "no-store")
        // Answered by the server before any handler: a body over the limit, and a request line that is not HTTP.
        let tooLarge = try await app.request("POST", "/v1/webhooks/relay", body: Array(repeating: 32, count: 8192))
        #expect(tooLarge.status == 413)
        #expect(tooLarge.header("Cache-Control") == "no-store")
        let garbage = try await onOwnThread {
            let connection = try RawHTTPConnection(port: app.port)
            try connection.send(Array("NOT HTTP AT ALL\r\n\r\n".utf8))
            return try connection.readResponse()
        }
        #expect(garbage.status == 400)
        #expect(garbage.header("Cache-Control") == "no-store")
        try await app.stop()
    }

    @Test func eventStream_IsNoStore() async throws {
        let app = try await Self.start()
        let head = try await onOwnThread {
            let connection = try RawHTTPConnection(port: app.port)
            try connection.send(Array("GET /v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8))
            return try connection.readHead()
        }
        #expect(head.status == 200)
        #expect(head.header("Content-Type") == "text/event-stream")
        #expect(head.header("Cache-Control") == "no-store")
        try await app.stop()
    }

    @Test func overHTTP2_TheSameValues() async throws {
        let app = try await Self.start()
        app.seed(.make("s1", status: .running))
        func headers(_ path: String) async throws -> String {
            try await ChildProcess.run("/usr/bin/curl", [
                "-s", "-o", "/dev/null", "-D", "-", "--http2-prior-knowledge", "http://127.0.0.1:\(app.port)\(path)",
            ]).stdout.lowercased()
        }
        #expect(try await headers("/v1/scans/relay:s1").contains("cache-control: no-cache\r\n"))
        #expect(try await headers("/v1/scans").contains("cache-control: no-store\r\n"))
        #expect(try await headers("/nowhere").contains("cache-control: no-store\r\n"))
        try await app.stop()
    }
}
