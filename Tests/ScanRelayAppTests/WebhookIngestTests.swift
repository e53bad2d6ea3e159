import Foundation
import ProviderFixtures
import ScanCore
import Testing
import Webhooks
@testable import ScanRelayApp

@Suite("POST /v1/webhooks/{source} over real HTTP")
struct WebhookIngestTests {
    static let secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
    static let hmacSecret = "opsmx-hmac-secret"
    static let harborToken = "Basic aGFyYm9yOnNlY3JldA=="

    static func fixture(_ name: String) throws -> [UInt8] {
        try ProviderFixtures.bytes(name)
    }

    /// One source per provider, each with its own verification scheme; none has an upstream.
    static func start(
        maxBodyBytes: Int = 1 << 20, dedupeKeys: Int = 100_000, maxScans: Int = 100_000
    ) async throws -> RunningApp {
        try await RunningApp.start { configuration in
            configuration.limits.maxBodyBytes = maxBodyBytes
            configuration.cache.dedupeKeys = dedupeKeys
            configuration.cache.maxScans = maxScans
            configuration.sources = [
                SourceConfiguration(name: "binarly", provider: .binarly, webhook: WebhookSettings(verify: .standardWebhooks, secrets: [secret])),
                SourceConfiguration(name: "yandex", provider: .yandex, webhook: WebhookSettings(verify: .standardWebhooks, secrets: [secret])),
                SourceConfiguration(name: "opsmx", provider: .opsmx, webhook: WebhookSettings(verify: .hmacSHA256, secrets: [hmacSecret])),
                SourceConfiguration(name: "harbor", provider: .harbor, webhook: WebhookSettings(verify: .token, tokens: [harborToken])),
                SourceConfiguration(name: "relay", provider: .scanrelay, webhook: WebhookSettings(verify: .none)),
            ]
        }
    }

    static func signedHeaders(_ body: [UInt8], id: String = UUID().uuidString, contentType: String = "application/json") throws -> [(String, String)] {
        let timestamp = Int64(Date().timeIntervalSince1970)
        let signature = try WebhookSigner.standardWebhooksSignature(id: id, timestamp: timestamp, body: body, secret: secret)
        return [("Content-Type", contentType), ("webhook-id", id), ("webhook-timestamp", String(timestamp)),
                ("webhook-signature", signature)]
    }

    static func post(_ app: RunningApp, _ source: String, _ body: [UInt8], _ headers: [(String, String)]) async throws -> TestResponse {
        try await app.request("POST", "/v1/webhooks/\(source)", headers: headers, body: body)
    }

    @Test(arguments: [
        ("binarly", "binarly-get-scan-docs", "binarly:01JZ30CYZY52F5BPR3AAJ2DP89"),
        ("binarly", "binarly-get-scan-spec", "binarly:01JZ30CYZY52F5BPR3AAJ2DP89"),
        ("yandex", "yandex-scan-result", "yandex:crp7hk9c3c0m6f4sd1ab"),
        ("opsmx", "opsmx-webhook", "opsmx:0x29ab7/sourceScan/0x29ab8"),
        ("harbor", "harbor-default-scanning-completed", "harbor:c86fb19c-0168-4aca-9921-17ff04d53612"),
        ("relay", "scanrelay-scan-completed", "relay:01JZ30CYZY52F5BPR3AAJ2DP89"),
    ])
    func eachProvidersFixture_IsAccepted_AndCached(source: String, fixture: String, scanId: String) async throws {
        let app = try await Self.start()
        let body = try Self.fixture(fixture)
        let headers: [(String, String)] =
            switch source {
            case "opsmx": [("Content-Type", "application/json"), ("X-Hub-Signature-256", WebhookSigner.hubSignature(body: body, secret: Self.hmacSecret))]
            case "harbor": [("Content-Type", "application/json"), ("Authorization", Self.harborToken)]
            case "relay": [("Content-Type", "application/json")]
            default: try Self.signedHeaders(body)
            }
        let response = try await Self.post(app, source, body, headers)
        #expect(response.status == 202)
        #expect(response.json["accepted"] as? Bool == true)
        #expect(response.json["duplicate"] as? Bool == false)
        #expect(response.json["scanId"] as? String == scanId)
        let encodedId = scanId.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: ":-")))!
        let scan = try await app.get("/v1/scans/\(encodedId)")
        #expect(scan.status == 200)
        #expect(scan.json["via"] as? String == "webhook")
        #expect(scan.json["source"] as? String == source)
        try await app.stop()
    }

    @Test func unknownSource_Is404_BeforeAnythingElse() async throws {
        let app = try await Self.start()
        let response = try await Self.post(app, "nobody", Array("not json".utf8), [("Content-Type", "text/plain")])
        #expect(response.status == 404)
        #expect(response.header("Content-Type") == "application/problem+json")
        try await app.stop()
    }

    @Test func bodyOverTheLimit_Is413() async throws {
        let app = try await Self.start(maxBodyBytes: 1024)
        let body = Array(repeating: UInt8(ascii: " "), count: 4096)
        let response = try await Self.post(app, "binarly", body, try Self.signedHeaders(body))
        #expect(response.status == 413)
        #expect(app.app.store.count == 0)
        try await app.stop()
    }

    @Test func badSignature_Is401_BeforeTheContentTypeIsLookedAt_AndChangesNothing() async throws {
        let app = try await Self.start()
        let body = try Self.fixture("binarly-get-scan-docs")
        var headers = try Self.signedHeaders(body, contentType: "text/plain")
        headers[3].1 = "v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
        #expect(try await Self.post(app, "binarly", body, headers).status == 401)
        #expect(try await Self.post(app, "harbor", body, [("Content-Type", "application/json"), ("Authorization", "Basic wrong")]).status == 401)
        #expect(try await Self.post(app, "opsmx", body, [("Content-Type", "application/json"), ("X-Hub-Signature-256", "sha256=00")]).status == 401)
        #expect(app.app.store.count == 0)
        try await app.stop()
    }

    @Test(arguments: ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", ""])
    func nonJSONContentType_Is415_OnceVerified(contentType: String) async throws {
        let app = try await Self.start()
        let body = try Self.fixture("binarly-get-scan-docs")
        var headers = try Self.signedHeaders(body, contentType: contentType)
        if contentType.isEmpty { headers.removeFirst() }
        #expect(try await Self.post(app, "binarly", body, headers).status == 415)
        try await app.stop()
    }

    @Test func cloudEventsContentType_IsJSON() async throws {
        let app = try await Self.start()
        let body = try Self.fixture("harbor-cloudevents-completed")
        let response = try await Self.post(app, "harbor", body, [("Content-Type", "application/cloudevents+json; charset=utf-8"), ("Authorization", Self.harborToken)])
        #expect(response.status == 202)
        try await app.stop()
    }

    @Test(arguments: ["not json at all", #"{"hello": "world"}"#, "[1, 2, 3]"])
    func bodyThatIsNotAnEventOfTheProvider_Is400(body: String) async throws {
        let app = try await Self.start()
        let bytes = Array(body.utf8)
        let response = try await Self.post(app, "binarly", bytes, try Self.signedHeaders(bytes))
        #expect(response.status == 400)
        #expect((response.json["detail"] as? String)?.isEmpty == false)
        try await app.stop()
    }

    @Test func hint_ForASourceWithoutUpstream_Is422() async throws {
        let app = try await Self.start()
        let body = try Self.fixture("binarly-hint")
        let response = try await Self.post(app, "binarly", body, try Self.signedHeaders(body))
        #expect(response.status == 422)
        try await app.stop()
    }

    @Test func eventNotActedOn_IsAcknowledged202_WithANullScanId() async throws {
        let app = try await Self.start()
        let response = try await app.postJSON("/v1/webhooks/relay", #"{"type": "watch.expired", "watch": {}}"#)
        #expect(response.status == 202)
        #expect(response.json["scanId"] is NSNull)
        #expect(response.json["duplicate"] as? Bool == false)
        try await app.stop()
    }

    @Test func sameWebhookId_Twice_IsAcknowledgedAsDuplicate_WithoutASecondEffect() async throws {
        let app = try await Self.start()
        let body = try Self.fixture("yandex-scan-result")
        let headers = try Self.signedHeaders(body, id: "msg_same")
        #expect(try await Self.post(app, "yandex", body, headers).status == 202)
        let again = try await Self.post(app, "yandex", body, headers)
        #expect(again.status == 200)
        #expect(again.json["duplicate"] as? Bool == true)
        #expect(again.json["scanId"] as? String == "yandex:crp7hk9c3c0m6f4sd1ab")
        #expect(app.app.store.events.lastEventId == 1)
        try await app.stop()
    }

    @Test func theDedupeLedger_HoldsCacheDedupeKeys_AndForgetsTheOldestFirst() async throws {
        let app = try await Self.start(dedupeKeys: 2)
        let body = try Self.fixture("yandex-scan-result")
        for id in ["msg_a", "msg_b", "msg_c"] {
            #expect(try await Self.post(app, "yandex", body, Self.signedHeaders(body, id: id)).json["duplicate"] as? Bool == false)
        }
        // msg_c is still remembered; msg_a was forgotten to make room, so its resend takes effect again.
        #expect(try await Self.post(app, "yandex", body, Self.signedHeaders(body, id: "msg_c")).json["duplicate"] as? Bool == true)
        #expect(try await Self.post(app, "yandex", body, Self.signedHeaders(body, id: "msg_a")).json["duplicate"] as? Bool == false)
        try await app.stop()
    }

    @Test func sameBody_WithoutADeliveryId_IsADuplicate() async throws {
        let app = try await Self.start()
        let body = try Self.fixture("scanrelay-scan-completed")
        #expect(try await app.request("POST", "/v1/webhooks/relay", headers: [("Content-Type", "application/json")], body: body).status == 202)
        #expect(try await app.request("POST", "/v1/webhooks/relay", headers: [("Content-Type", "application/json")], body: body).status == 200)
        try await app.stop()
    }

    @Test func aCacheFullOfScansInProgress_Answers503_AndTheRetryIsProcessedOnceThereIsRoom() async throws {
        let app = try await Self.start(maxScans: 1)
        func event(_ id: String, _ status: String) -> [UInt8] {
            Array(#"{"type": "scan.updated", "data": {"upstreamId": "\#(id)", "subject": {"imageId": "img"}, "status": "\#(status)"}}"#.utf8)
        }
        let json = [("Content-Type", "application/json")]
        #expect(try await Self.post(app, "relay", event("a", "running"), json).status == 202)
        let refused = try await Self.post(app, "relay", event("b", "running"), json)
        #expect(refused.status == 503)
        #expect(refused.header("Content-Type") == "application/problem+json")
        #expect(refused.header("Retry-After") == "30")
        #expect(refused.json["detail"] as? String == "the scan cache is full of scans in progress")

        // Once "a" has ended it may be evicted, and the sender's retry of "b" takes effect: the refused delivery
        // was not remembered as seen.
        #expect(try await Self.post(app, "relay", event("a", "completed"), json).status == 202)
        let retried = try await Self.post(app, "relay", event("b", "running"), json)
        #expect(retried.status == 202)
        #expect(retried.json["duplicate"] as? Bool == false)
        #expect(try await app.get("/v1/scans/relay:b").json["status"] as? String == "running")
        #expect(try await app.get("/v1/scans/relay:a").status == 404)
        try await app.stop()
    }

    @Test func hundredConcurrentDeliveries_OfOneWebhookId_TakeEffectOnce() async throws {
        let app = try await Self.start()
        let body = try Self.fixture("binarly-get-scan-docs")
        let headers = try Self.signedHeaders(body, id: "msg_concurrent")
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<100 { group.addTask { try await Self.post(app, "binarly", body, headers).status } }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses.filter { $0 == 202 }.count == 1)
        #expect(statuses.filter { $0 == 200 }.count == 99)
        #expect(app.app.store.scan(id: "binarly:01JZ30CYZY52F5BPR3AAJ2DP89")?.revision == 1)
        #expect(app.app.store.events.lastEventId == 1)
        try await app.stop()
    }

    @Test func deliveries_AreCountedByOutcome() async throws {
        let app = try await Self.start()
        let body = try Self.fixture("yandex-scan-result")
        let headers = try Self.signedHeaders(body, id: "msg_counted")
        _ = try await Self.post(app, "yandex", body, headers)
        _ = try await Self.post(app, "yandex", body, headers)
        _ = try await Self.post(app, "yandex", body, [("Content-Type", "application/json")])
        _ = try await app.postJSON("/v1/webhooks/nobody", "{}")
        let metrics = try PrometheusText(try await app.get("/metrics"))
        #expect(metrics.value("scanrelay_webhook_deliveries_total", ["source": "yandex", "outcome": "accepted"]) == 1)
        #expect(metrics.value("scanrelay_webhook_deliveries_total", ["source": "yandex", "outcome": "duplicate"]) == 1)
        #expect(metrics.value("scanrelay_webhook_deliveries_total", ["source": "yandex", "outcome": "unauthorized"]) == 1)
        #expect(metrics.value("scanrelay_webhook_deliveries_total", ["source": "_unknown", "outcome": "unknown_source"]) == 1)
        try await app.stop()
    }
}
