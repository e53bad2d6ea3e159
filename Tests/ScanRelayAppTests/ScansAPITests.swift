import Foundation
import ScanCore
import Testing
@testable import ScanRelayApp

@Suite("GET /v1/scans and /v1/scans/{id} over real HTTP")
struct ScansAPITests {
    static let base = Date(timeIntervalSince1970: 1_800_000_000)

    /// Five scans of two images and two statuses, created a minute apart (scan-0 oldest).
    static func seeded() async throws -> RunningApp {
        let app = try await RunningApp.start()
        for index in 0..<5 {
            app.seed(.make(
                "scan-\(index)", imageId: index.isMultiple(of: 2) ? "image-even" : "image-odd",
                productId: index < 2 ? "product-a" : nil, status: index < 3 ? .completed : .running,
                createdAt: base.addingTimeInterval(Double(index) * 60), updatedAt: base.addingTimeInterval(Double(index) * 60)))
        }
        return app
    }

    static func ids(_ response: TestResponse) -> [String] {
        (response.json["scans"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
    }

    @Test func list_ReturnsNewestFirst_WithoutNextPageToken_OnTheLastPage() async throws {
        let app = try await Self.seeded()
        let response = try await app.get("/v1/scans")
        #expect(response.status == 200)
        #expect(response.header("Content-Type") == "application/json")
        #expect(Self.ids(response) == (0..<5).reversed().map { "relay:scan-\($0)" })
        #expect(response.json.keys.contains("nextPageToken") == false)
        try await app.stop()
    }

    @Test func list_FiltersBySourceProviderStatusImageAndProduct() async throws {
        let app = try await Self.seeded()
        #expect(Self.ids(try await app.get("/v1/scans?status=running")) == ["relay:scan-4", "relay:scan-3"])
        #expect(Self.ids(try await app.get("/v1/scans?imageId=image-odd")) == ["relay:scan-3", "relay:scan-1"])
        #expect(Self.ids(try await app.get("/v1/scans?productId=product-a")) == ["relay:scan-1", "relay:scan-0"])
        #expect(Self.ids(try await app.get("/v1/scans?source=relay&provider=scanrelay&status=completed&imageId=image-even"))
            == ["relay:scan-2", "relay:scan-0"])
        #expect(Self.ids(try await app.get("/v1/scans?source=elsewhere")).isEmpty)
        #expect(Self.ids(try await app.get("/v1/scans?provider=binarly")).isEmpty)
        try await app.stop()
    }

    @Test func list_UpdatedSince_IsInclusive() async throws {
        try await withRunningApp { app in
            app.seed(.make("a"))
            let updatedAt = try #require(app.app.store.scan(id: "relay:a")?.updatedAt)
            let since = RFC3339.format(updatedAt).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(Self.ids(try await app.get("/v1/scans?updatedSince=\(since)")) == ["relay:a"])
            let later = RFC3339.format(updatedAt.addingTimeInterval(1)).addingPercentEncoding(withAllowedCharacters: .alphanumerics)!
            #expect(Self.ids(try await app.get("/v1/scans?updatedSince=\(later)")).isEmpty)
        }
    }

    @Test func pagination_WalksEveryScanOnce_WhileScansAreAdded() async throws {
        let app = try await Self.seeded()
        var seen: [String] = []
        var token: String?
        var pages = 0
        repeat {
            let query = token.map { "&pageToken=\($0.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)" } ?? ""
            let response = try await app.get("/v1/scans?limit=2\(query)")
            #expect(response.status == 200)
            seen += Self.ids(response)
            token = response.json["nextPageToken"] as? String
            pages += 1
            // A newer scan arriving mid-walk must not shift the pages already handed out.
            if pages == 1 { app.seed(.make("late", createdAt: Self.base.addingTimeInterval(3600))) }
        } while token != nil && pages < 10
        #expect(seen == (0..<5).reversed().map { "relay:scan-\($0)" })
        #expect(pages == 3)
        try await app.stop()
    }

    @Test(arguments: ["limit=0", "limit=1001", "limit=abc", "limit=-1", "pageToken=%%%", "status=done",
                      "provider=nope", "updatedSince=yesterday", "pageToken=not-a-token!"])
    func list_RefusesBadParameters_With400Problem(query: String) async throws {
        let app = try await Self.seeded()
        let response = try await app.get("/v1/scans?\(query)")
        #expect(response.status == 400)
        #expect(response.header("Content-Type") == "application/problem+json")
        #expect(response.json["status"] as? Int == 400)
        try await app.stop()
    }

    @Test func list_AcceptsTheMaximumLimit() async throws {
        let app = try await Self.seeded()
        #expect(try await app.get("/v1/scans?limit=1000").status == 200)
        try await app.stop()
    }

    @Test func one_HasAnETag_AndIfNoneMatchGives304() async throws {
        let app = try await Self.seeded()
        let response = try await app.get("/v1/scans/relay:scan-1")
        #expect(response.status == 200)
        #expect(response.json["id"] as? String == "relay:scan-1")
        #expect(response.json.keys.contains("raw") == false)
        let etag = try #require(response.header("ETag"))
        #expect(etag == "\"1\"")
        let cached = try await app.get("/v1/scans/relay:scan-1", headers: [("If-None-Match", etag)])
        #expect(cached.status == 304)
        #expect(cached.body.isEmpty)
        #expect(cached.header("ETag") == etag)
        #expect(try await app.get("/v1/scans/relay:scan-1", headers: [("If-None-Match", "\"99\"")]).status == 200)
        try await app.stop()
    }

    @Test func one_ViewFull_AddsTheRawUpstreamDocument() async throws {
        try await withRunningApp { app in
            app.seed(.make("with-raw", raw: #"{"upstream":"document"}"#))
            let response = try await app.get("/v1/scans/relay%3Awith-raw?view=full")
            #expect((response.json["raw"] as? [String: Any])?["upstream"] as? String == "document")
            #expect(try await app.get("/v1/scans/relay:with-raw?view=everything").status == 400)
        }
    }

    /// Answered at once: asked to wait 5 minutes (the cap), a server that held the request would run into the
    /// test's one-minute limit. No clock reading: under a sanitizer and a loaded machine a prompt 404 took 12 s.
    @Test(.timeLimit(.minutes(1)))
    func one_UnknownId_Is404Problem_EvenWithWait() async throws {
        try await withRunningApp { app in
            let response = try await app.get("/v1/scans/relay:missing?wait=5m")
            #expect(response.status == 404)
            #expect(response.header("Content-Type") == "application/problem+json")
        }
    }

    @Test func one_PathParameterMayCarryAnEncodedSlash() async throws {
        try await withRunningApp { app in
            app.seed(.make("project/docker/42", source: "ssd", provider: .opsmx))
            let response = try await app.get("/v1/scans/ssd:project%2Fdocker%2F42")
            #expect(response.status == 200)
            #expect(response.json["upstreamId"] as? String == "project/docker/42")
        }
    }

    @Test func imageScans_AreNewestFirst_AndEmptyForAnUnknownImage() async throws {
        let app = try await Self.seeded()
        #expect(Self.ids(try await app.get("/v1/images/image-even/scans")) == ["relay:scan-4", "relay:scan-2", "relay:scan-0"])
        let none = try await app.get("/v1/images/no-such-image/scans")
        #expect(none.status == 200)
        #expect(none.text == #"{"scans":[]}"#)
        try await app.stop()
    }
}
