import FakeUpstreams
import Foundation
import ProviderFixtures
import ScanCore
import Testing
@testable import ScanRelayApp

@Suite("/v1/watches and polling through the app, against a fake Binarly over real sockets")
struct WatchesAPITests {
    /// An app with a `binarly` source polling `upstream`, every poll time in milliseconds, and a webhook-only source.
    static func start(upstream: URL) async throws -> RunningApp {
        try await RunningApp.start { configuration in
            configuration.poll = PollConfiguration(
                expectedDuration: [PollConfiguration.ExpectedDurationRow(
                    below: nil, duration: .init(min: .milliseconds(10), max: .milliseconds(20)))],
                unknownSize: .init(min: .milliseconds(10), max: .milliseconds(20)),
                interval: .init(min: .milliseconds(10), max: .milliseconds(40)),
                backoff: .init(base: .milliseconds(10), max: .milliseconds(40)))
            configuration.sources = [
                SourceConfiguration(
                    name: "binarly", provider: .binarly,
                    upstream: UpstreamSettings(baseURL: upstream, auth: .bearer("binarly-token")),
                    webhook: WebhookSettings(verify: .none)),
                SourceConfiguration(name: "harbor", provider: .harbor, webhook: WebhookSettings(verify: .none)),
            ]
        }
    }

    static func fake() async throws -> (FakeBinarly, URL) {
        let fake = FakeBinarly()
        return (fake, try await fake.start())
    }

    @Test func watch_IsCreated_Read_Listed_AndCancelled() async throws {
        let (fake, url) = try await Self.fake()
        let app = try await Self.start(upstream: url)
        // A large image far in the future: no poll is due while the test runs.
        let created = try await app.postJSON("/v1/watches", """
            {"source": "binarly", "ref": {"productId": "p1", "imageId": "i1"}, "imageSizeBytes": 1073741824,
             "scanStartedAt": "2999-01-01T00:00:00Z"}
            """)
        #expect(created.status == 201)
        let id = try #require(created.json["id"] as? String)
        #expect(created.header("Location") == "/v1/watches/\(id)")
        #expect(created.json["state"] as? String == "waiting")
        #expect((created.json["ref"] as? [String: Any])?["imageId"] as? String == "i1")

        #expect(try await app.get("/v1/watches/\(id)").json["id"] as? String == id)
        let waiting = try await app.get("/v1/watches?state=waiting")
        #expect((waiting.json["watches"] as? [[String: Any]])?.count == 1)
        #expect(waiting.json.keys.contains("nextPageToken") == false)
        #expect((try await app.get("/v1/watches?state=done").json["watches"] as? [[String: Any]])?.isEmpty == true)

        let cancelled = try await app.request("DELETE", "/v1/watches/\(id)")
        #expect(cancelled.status == 200)
        #expect(cancelled.json["state"] as? String == "cancelled")
        #expect(try await app.get("/v1/watches/\(id)").json["state"] as? String == "cancelled")
        #expect(try await app.get("/v1/watches/no-such-watch").status == 404)
        #expect(try await app.request("DELETE", "/v1/watches/no-such-watch").status == 404)
        try await app.stop()
        fake.stop()
    }

    @Test func watches_ArePaged() async throws {
        let (fake, url) = try await Self.fake()
        let app = try await Self.start(upstream: url)
        for index in 0..<3 {
            let body = #"{"source": "binarly", "ref": {"productId": "p", "imageId": "i\#(index)"}, "scanStartedAt": "2999-01-01T00:00:00Z"}"#
            #expect(try await app.postJSON("/v1/watches", body).status == 201)
        }
        let first = try await app.get("/v1/watches?limit=2")
        #expect((first.json["watches"] as? [[String: Any]])?.count == 2)
        let token = try #require(first.json["nextPageToken"] as? String)
        let second = try await app.get("/v1/watches?limit=2&pageToken=\(token.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)")
        #expect((second.json["watches"] as? [[String: Any]])?.count == 1)
        #expect(second.json.keys.contains("nextPageToken") == false)
        #expect(try await app.get("/v1/watches?limit=1001").status == 400)
        #expect(try await app.get("/v1/watches?state=sleeping").status == 400)
        #expect(try await app.get("/v1/watches?pageToken=bogus").status == 400)
        try await app.stop()
        fake.stop()
    }

    @Test(arguments: [
        (#"{"source": "binarly", "ref": "#, 400, nil as String?),
        (#"["binarly"]"#, 422, ""),
        (#"{"ref": {"productId": "p", "imageId": "i"}}"#, 422, "source"),
        (#"{"source": "nowhere", "ref": {"productId": "p", "imageId": "i"}}"#, 422, "source"),
        (#"{"source": "harbor", "ref": {"imageId": "i"}}"#, 422, "source"),
        (#"{"source": "binarly"}"#, 422, "ref"),
        (#"{"source": "binarly", "ref": {"imageId": "i"}}"#, 422, "ref.productId"),
        (#"{"source": "binarly", "ref": {"productId": "p", "imageId": "i", "scanID": "s"}}"#, 422, "ref.scanID"),
        (#"{"source": "binarly", "ref": {"productId": 7, "imageId": "i"}}"#, 422, "ref.productId"),
        (#"{"source": "binarly", "ref": {"productId": "p", "imageId": "i"}, "imageSizeBytes": "big"}"#, 422, "imageSizeBytes"),
        (#"{"source": "binarly", "ref": {"productId": "p", "imageId": "i"}, "expectWebhook": 1}"#, 422, "expectWebhook"),
        (#"{"source": "binarly", "ref": {"productId": "p", "imageId": "i"}, "scanStartedAt": "noon"}"#, 422, "scanStartedAt"),
    ])
    func invalidBodies_AreRefused_NamingTheField(body: String, status: Int, field: String?) async throws {
        let (fake, url) = try await Self.fake()
        let app = try await Self.start(upstream: url)
        let response = try await app.postJSON("/v1/watches", body)
        #expect(response.status == status)
        #expect(response.header("Content-Type") == "application/problem+json")
        if let field { #expect(response.json["field"] as? String == field) }
        try await app.stop()
        fake.stop()
    }

    @Test func watch_FollowsAScanToCompletion_AndTheCacheHasIt() async throws {
        let (fake, url) = try await Self.fake()
        let scanId = fake.addScan(productId: "p1", imageId: "i1", FakeScan(runningPolls: 1, outcome: .completed(FakeFindings(high: 2))))
        let app = try await Self.start(upstream: url)
        let events = try await SSEClient.connect(port: app.port)
        _ = try await events.next()
        let created = try await app.postJSON("/v1/watches", #"{"source": "binarly", "ref": {"productId": "p1", "imageId": "i1", "scanId": "\#(scanId)"}}"#)
        #expect(created.status == 201)
        var last: SSEClient.Frame?
        while let frame = try await events.nextEvent() {
            last = frame
            if frame.event == "scan.completed" { break }
        }
        #expect(last?.event == "scan.completed")
        let scan = try await app.get("/v1/scans/binarly:\(scanId)")
        #expect(scan.json["status"] as? String == "completed")
        #expect(scan.json["via"] as? String == "poll")
        // The watch ends right after its poll's result is cached (the scheduler may still be between the two).
        var doneWatches = 0
        for _ in 0..<100 where doneWatches == 0 {
            doneWatches = (try await app.get("/v1/watches?state=done").json["watches"] as? [[String: Any]])?.count ?? 0
            if doneWatches == 0 { try await Task.sleep(for: .milliseconds(20)) }
        }
        #expect(doneWatches == 1)
        try await app.stop()
        fake.stop()
    }

    @Test func hint_MakesThePollerFetchFromTheUpstream() async throws {
        let (fake, url) = try await Self.fake()
        let scanId = fake.addScan(productId: "p9", imageId: "i9", FakeScan(runningPolls: 0))
        let app = try await Self.start(upstream: url)
        let events = try await SSEClient.connect(port: app.port)
        _ = try await events.next()
        let response = try await app.postJSON("/v1/webhooks/binarly", #"{"productId": "p9", "imageId": "i9", "scanId": "\#(scanId)"}"#)
        #expect(response.status == 202)
        #expect(response.json["scanId"] is NSNull)
        let event = try #require(try await events.nextEvent())
        #expect((event.json["scan"] as? [String: Any])?["id"] as? String == "binarly:\(scanId)")
        #expect(fake.core.requestCount >= 1)
        try await app.stop()
        fake.stop()
    }

    /// An app with one Yandex source polled through `url`, whose unknown-size schedule waits an hour.
    static func yandexApp(_ url: URL) async throws -> RunningApp {
        try await RunningApp.start { configuration in
            configuration.poll.unknownSize = .init(min: .seconds(3600), max: .seconds(7200))
            configuration.sources = [SourceConfiguration(
                name: "yandex", provider: .yandex,
                upstream: UpstreamSettings(baseURL: url, auth: .bearer("yandex-iam-token")),
                webhook: WebhookSettings(verify: .none))]
        }
    }

    /// The CreateImage trigger fixture (its image created in 2020), saying the image was created at `createdAt`.
    static func createImageTrigger(createdAt: Date) throws -> [UInt8] {
        let fixture = String(decoding: try ProviderFixtures.bytes("yandex-trigger-create-image"), as: UTF8.self)
        return Array(fixture.replacingOccurrences(of: "2020-09-07T11:09:14Z", with: RFC3339.format(createdAt)).utf8)
    }

    @Test func yandexCreateImageTrigger_StartsAWatchOnTheImage_WithTheUnknownSizeSchedule() async throws {
        let fake = FakeYandex()
        let app = try await Self.yandexApp(try await fake.start())
        // Delivered at once: the image was created just now, so the watch waits the schedule (and is read waiting).
        let trigger = try Self.createImageTrigger(createdAt: Date())
        let response = try await app.request("POST", "/v1/webhooks/yandex", headers: [("Content-Type", "application/json")], body: trigger)
        #expect(response.status == 202)
        let listed = try await app.get("/v1/watches")
        let watches = try #require(listed.json["watches"] as? [[String: Any]])
        #expect(watches.count == 1)
        #expect((watches.first?["ref"] as? [String: Any])?["imageId"] as? String == "crti2c9bb8hnk1a2hse1")
        #expect(watches.first?["state"] as? String == "waiting")
        #expect(watches.first?["imageSizeBytes"] is NSNull)
        let nextPollText = try #require(watches.first?["nextPollAt"] as? String)
        let nextPoll = try #require(RFC3339.parse(nextPollText))
        #expect(nextPoll.timeIntervalSinceNow > 3000)
        try await app.stop()
        fake.stop()
    }

    @Test func aLateYandexTrigger_CountsFromTheImagesCreation_SoItsScanIsPolledAtOnce() async throws {
        let fake = FakeYandex()
        let app = try await Self.yandexApp(try await fake.start())
        // Relayed two hours after the image was created: its scan is expected to be over, and a result from that
        // time on is this image's scan.
        let trigger = try Self.createImageTrigger(createdAt: Date() - 7200)
        #expect(try await app.request("POST", "/v1/webhooks/yandex", headers: [("Content-Type", "application/json")], body: trigger).status == 202)
        // Polled within seconds, although the unknown-size schedule counted from now would wait an hour.
        var polls = 0
        for _ in 0..<200 where polls == 0 {
            let watch = try #require((try await app.get("/v1/watches")).json["watches"] as? [[String: Any]]).first
            polls = watch?["polls"] as? Int ?? 0
            if polls == 0 { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(polls >= 1)
        try await app.stop()
        fake.stop()
    }

    @Test func polls_AreCountedBySourceAndOutcome() async throws {
        let (fake, url) = try await Self.fake()
        let scanId = fake.addScan(productId: "p5", imageId: "i5", FakeScan(runningPolls: 0))
        let app = try await Self.start(upstream: url)
        let events = try await SSEClient.connect(port: app.port)
        _ = try await events.next()
        _ = try await app.postJSON("/v1/webhooks/binarly", #"{"productId": "p5", "imageId": "i5", "scanId": "\#(scanId)"}"#)
        _ = try await events.nextEvent()
        let metrics = try PrometheusText(try await app.get("/metrics"))
        #expect(metrics.value("scanrelay_polls_total", ["source": "binarly", "outcome": "scan"]) == 1)
        try await app.stop()
        fake.stop()
    }
}
