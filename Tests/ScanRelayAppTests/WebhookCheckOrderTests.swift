import ChildProcesses
import Foundation
import Testing
@testable import ScanRelayApp

/// PRODUCT.md's webhook check order puts the unknown source (404) before the size check (413), even though the
/// server refuses an oversized body before reading it: over HTTP/1.1 (declared and chunked) and HTTP/2 (curl).
@Suite("Webhook check order: unknown source before body size")
struct WebhookCheckOrderTests {
    static let limit = 64 * 1024

    static func start() async throws -> RunningApp {
        try await WebhookIngestTests.start(maxBodyBytes: limit)
    }

    /// Sends only a head declaring a 2 MiB body: the answer must come without any of the body being sent.
    static func declaredHead(_ app: RunningApp, source: String) async throws -> TestResponse {
        try await onOwnThread {
            let connection = try RawHTTPConnection(port: app.port)
            try connection.send(Array((
                "POST /v1/webhooks/\(source) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Content-Length: \(2 << 20)\r\n\r\n").utf8))
            return try connection.readResponse(method: "POST")
        }
    }

    /// A chunked body whose first chunk is already over the limit.
    static func chunkedOverLimit(_ app: RunningApp, source: String) async throws -> TestResponse {
        try await onOwnThread {
            let connection = try RawHTTPConnection(port: app.port)
            try connection.send(Array((
                "POST /v1/webhooks/\(source) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n\(String(2 << 20, radix: 16))\r\n{\"a\":").utf8))
            return try connection.readResponse(method: "POST")
        }
    }

    @Test func unknownSource_WithA2MiBDeclaredBody_Is404_KnownSourceIs413() async throws {
        let app = try await Self.start()
        let unknown = try await Self.declaredHead(app, source: "nobody")
        #expect(unknown.status == 404)
        #expect(unknown.header("Content-Type") == "application/problem+json")
        #expect(unknown.header("Connection") == "close")
        #expect(try await Self.declaredHead(app, source: "binarly").status == 413)
        // Percent-decoded as the router decodes it: `bin%61rly` is the configured `binarly`.
        #expect(try await Self.declaredHead(app, source: "bin%61rly").status == 413)
        #expect(try await Self.declaredHead(app, source: "no%62ody").status == 404)
        try await app.stop()
    }

    @Test func unknownSource_WithAnOversizedChunkedBody_Is404_KnownSourceIs413() async throws {
        let app = try await Self.start()
        #expect(try await Self.chunkedOverLimit(app, source: "nobody").status == 404)
        #expect(try await Self.chunkedOverLimit(app, source: "binarly").status == 413)
        try await app.stop()
    }

    @Test func otherRoutes_WithOversizedBodies_Stay413() async throws {
        let app = try await Self.start()
        let response = try await onOwnThread {
            let connection = try RawHTTPConnection(port: app.port)
            try connection.send(Array(
                "POST /v1/watches HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(2 << 20)\r\n\r\n".utf8))
            return try connection.readResponse(method: "POST")
        }
        #expect(response.status == 413)
        try await app.stop()
    }

    /// Python `h2` declares a 2 MiB body and sends none of it: the answer comes from the head alone. (curl cannot
    /// show it: it reports the RST_STREAM(NO_ERROR) that stops its upload as a framing error, RFC 9113 §8.1.)
    static let h2Client = """
        import socket, sys, h2.connection, h2.config, h2.events
        sock = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=20)
        conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True))
        conn.initiate_connection()
        conn.send_headers(1, [(":method", "POST"), (":scheme", "http"), (":authority", "127.0.0.1"),
                              (":path", "/v1/webhooks/" + sys.argv[2]), ("content-type", "application/json"),
                              ("content-length", str(2 << 20))], end_stream=False)
        sock.sendall(conn.data_to_send())
        while True:
            data = sock.recv(65536)
            if not data:
                sys.exit("closed without a response")
            for event in conn.receive_data(data):
                if isinstance(event, h2.events.ResponseReceived):
                    print(dict(event.headers)[b":status"].decode())
                    sys.exit(0)
            sock.sendall(conn.data_to_send())
        """

    @Test(arguments: [("nobody", "404"), ("binarly", "413")])
    func overHTTP2_UnknownSourceIs404_KnownIs413(source: String, expected: String) async throws {
        let app = try await Self.start()
        let result = try await ChildProcess.run("python3", ["-c", Self.h2Client, "\(app.port)", source])
        #expect(result.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == expected, "\(result.stderr)")
        try await app.stop()
    }
}
