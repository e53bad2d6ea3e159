import Foundation
import ScanCore
import Testing
@testable import ScanRelayApp

/// PRODUCT.md, "Timestamps": every timestamp in a response is RFC 3339 UTC with whole seconds, truncated; inside,
/// full precision. `updatedSince` accepts any RFC 3339 time and stays inclusive — also for a client that passes back
/// the truncated `updatedAt` it was shown.
@Suite("Timestamps: whole seconds out, full precision in")
struct TimestampsTests {
    /// `2026-12-07T10:30:00Z` and nothing else: no fraction, no offset.
    static func hasTheShape(_ text: String) -> Bool {
        text.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/) != nil
    }

    /// Every string in `json` (any depth) under a key ending in `At`, with its key path.
    static func timestamps(in json: Any, path: String = "") -> [(String, String)] {
        switch json {
        case let object as [String: Any]:
            object.flatMap { key, value -> [(String, String)] in
                if key.hasSuffix("At"), let text = value as? String { return [("\(path).\(key)", text)] }
                return timestamps(in: value, path: "\(path).\(key)")
            }
        case let array as [Any]:
            array.enumerated().flatMap { timestamps(in: $1, path: "\(path)[\($0)]") }
        default:
            []
        }
    }

    static func expectWholeSeconds(_ json: Any, _ what: String, count: Int) {
        let found = timestamps(in: json)
        #expect(found.count >= count, "\(what): \(found)")
        for (path, text) in found where !hasTheShape(text) {
            Issue.record("\(what)\(path) is \(text), not whole-second UTC")
        }
    }

    @Test func scansListsImagesWatchesAndEvents_ShowWholeSecondsTruncated() async throws {
        let (fake, url) = try await WatchesAPITests.fake()
        let app = try await WatchesAPITests.start(upstream: url)
        let exact = try #require(RFC3339.parse("2026-12-07T10:30:00.851496Z"))
        app.seed(.make("s1", source: "harbor", provider: .harbor, status: .completed, createdAt: exact, updatedAt: exact,
                       findings: Findings(critical: 0, high: 1, medium: 0, low: 0, negligible: 0, unknown: 0)))

        let scan = try await app.get("/v1/scans/harbor:s1")
        Self.expectWholeSeconds(scan.json, "scan", count: 4)
        #expect(scan.json["upstreamUpdatedAt"] as? String == "2026-12-07T10:30:00Z", "truncated, never rounded up")
        Self.expectWholeSeconds(try await app.get("/v1/scans").json, "list", count: 4)
        Self.expectWholeSeconds(try await app.get("/v1/images/image-1/scans").json, "image", count: 4)

        let watch = try await app.postJSON("/v1/watches", """
            {"source": "binarly", "ref": {"productId": "p1", "imageId": "i1"}, "imageSizeBytes": 1073741824,
             "scanStartedAt": "2999-01-01T00:00:00.5Z"}
            """)
        #expect(watch.status == 201)
        Self.expectWholeSeconds(watch.json, "watch", count: 3)
        #expect(watch.json["scanStartedAt"] as? String == "2999-01-01T00:00:00Z")
        Self.expectWholeSeconds(try await app.get("/v1/watches").json, "watches", count: 3)

        let events = try await SSEClient.connect(port: app.port, lastEventId: "0")
        let event = try #require(try await events.nextEvent())
        Self.expectWholeSeconds(try JSONSerialization.jsonObject(with: Data((event.data ?? "").utf8)), "event", count: 4)
        try await app.stop()
        fake.stop()
    }

    @Test func updatedSince_IsInclusive_ForTheTruncatedUpdatedAtAClientWasShown() async throws {
        let app = try await RunningApp.start()
        app.seed(.make("s1", status: .running))
        let shown = try #require(try await app.get("/v1/scans/relay:s1").json["updatedAt"] as? String)
        #expect(Self.hasTheShape(shown))
        let kept = try #require(app.app.store.scan(id: "relay:s1")?.updatedAt)
        // Inside, the record keeps its fraction; the client was shown a time at or before it.
        #expect(RFC3339.parse(shown)! <= kept)

        func ids(since: String) async throws -> [String] {
            let encoded = since.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            let list = try await app.get("/v1/scans?updatedSince=\(encoded)")
            #expect(list.status == 200)
            return (list.json["scans"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
        }
        #expect(try await ids(since: shown) == ["relay:s1"])
        // Any RFC 3339 form: a fraction, an offset.
        #expect(try await ids(since: shown.replacingOccurrences(of: "Z", with: ".000000Z")) == ["relay:s1"])
        #expect(try await ids(since: "2000-01-01T01:00:00.5+01:00") == ["relay:s1"])
        #expect(try await ids(since: RFC3339.format(kept.addingTimeInterval(1))).isEmpty)
        try await app.stop()
    }
}
