import Foundation
import Logging
import Testing
@testable import ScanRelayApp

/// Text from outside never reaches a log line raw (issue 14: a `:path` holding U+0085 or U+2028 over HTTP/2 started
/// a forged line in the text log), and ids taken from payloads are refused when they are not printable.
@Suite struct UntrustedTextTests {
    @Test(arguments: [
        ("a\nb", "a\\u{a}b"), ("\r", "\\u{d}"), ("\u{1B}[2K", "\\u{1b}[2K"), ("\u{0}", "\\u{0}"), ("\u{7F}", "\\u{7f}"),
        ("x\u{85}y", "x\\u{85}y"), ("\u{2028}", "\\u{2028}"), ("\u{2029}", "\\u{2029}"), ("\u{202E}txt", "\\u{202e}txt"),
        ("/v1/scans/é-ü", "/v1/scans/é-ü"), ("plain", "plain"),
    ])
    func escaped_MakesEveryLineBreakAndControlVisible(input: String, expected: String) {
        #expect(UntrustedText.escaped(input) == expected)
    }

    /// Collects what a handler writes.
    final class Lines: @unchecked Sendable {
        private let lock = NSLock()
        private var text = ""
        func append(_ line: String) { lock.withLock { text += line } }
        var all: String { lock.withLock { text } }
    }

    @Test func textLog_KeepsAForgedPathOnItsOwnLine() {
        let lines = Lines()
        var handler = TextLogHandler(label: "scanrelay", output: { lines.append($0) })
        handler.logLevel = .info
        let logger = Logger(label: "scanrelay", factory: { _ in handler })
        logger.info("request", metadata: ["path": "/v1/scans/x\u{85}2026-12-07 info scanrelay: status=200\u{2028}\r\nforged"])
        let text = lines.all
        #expect(text.hasSuffix("\n"))
        #expect(text.filter { $0 == "\n" || $0 == "\r\n" }.count == 1, "\(text)")
        #expect(!text.unicodeScalars.contains { $0.value == 0x85 || $0.value == 0x2028 || $0.value == 0x0D })
        #expect(text.contains("path=/v1/scans/x\\u{85}2026-12-07"))
    }

    @Test func jsonLog_EscapesTheUnicodeLineSeparatorsToo() throws {
        let lines = Lines()
        let handler = JSONLogHandler(label: "scanrelay", output: { lines.append($0) })
        let logger = Logger(label: "scanrelay", factory: { _ in handler })
        logger.info("request", metadata: ["path": "/a\u{2028}b\u{85}c"])
        let text = lines.all
        #expect(!text.unicodeScalars.contains { $0.value == 0x85 || $0.value == 0x2028 })
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object?["path"] as? String == "/a\u{2028}b\u{85}c")
    }

    @Test(arguments: [
        ("relay\\nforged", "data.upstreamId"), ("a\\u0000b", "data.upstreamId"), ("a\\u2028b", "data.upstreamId"),
        (String(repeating: "x", count: 257), "data.upstreamId"),
    ])
    func relayedUpstreamId_ThatIsNotPrintable_Is400_NamingTheField(upstreamId: String, field: String) async throws {
        let app = try await RunningApp.start { configuration in
            configuration.sources = [SourceConfiguration(name: "relay", provider: .scanrelay, webhook: WebhookSettings(verify: .none))]
        }
        let body = #"{"type": "scan.updated", "data": {"upstreamId": "\#(upstreamId)", "subject": {"imageId": "i"}, "status": "running"}}"#
        let response = try await app.postJSON("/v1/webhooks/relay", body)
        #expect(response.status == 400)
        #expect((response.json["detail"] as? String)?.contains(field) == true, "\(response.text)")
        #expect(try await app.get("/v1/scans").json["scans"] as? [Any] != nil)
        #expect((try await app.get("/v1/scans").json["scans"] as? [Any])?.isEmpty == true)
        try await app.stop()
    }
}
