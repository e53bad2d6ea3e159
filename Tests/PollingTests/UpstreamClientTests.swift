import FakeUpstreams
import Foundation
import Providers
import ScanCore
import Testing

@Suite(.timeLimit(.minutes(1))) struct UpstreamClientTests {
    /// A settable time for token renewal.
    final class TestNow: @unchecked Sendable {
        private let lock = NSLock()
        private var value = Date()
        var now: Date { lock.withLock { value } }
        func advance(_ seconds: TimeInterval) { lock.withLock { value += seconds } }
    }

    func oauth2Client(_ fake: FakeBinarly, now: TestNow = TestNow()) async throws -> BinarlyClient {
        let base = try await fake.start()
        var credentials = fakeOAuth2
        credentials.tokenURL = try #require(fake.tokenURL)
        return BinarlyClient(source: "binarly", configuration: UpstreamConfiguration(baseURL: base, auth: .oauth2(credentials)),
                             maxConnections: 8, now: { now.now })
    }

    @Test func oauth2Token_IsRenewedAfter80PercentOfItsLifetime() async throws {
        let fake = FakeBinarly(auth: .oauth2(clientID: "scanrelay", clientSecret: "s3cret", expiresIn: 1000))
        let scanId = fake.addScan(productId: "p", imageId: "i", FakeScan(runningPolls: 100))
        let now = TestNow()
        let client = try await oauth2Client(fake, now: now)
        let ref = ScanRef.binarly(productId: "p", imageId: "i", scanId: scanId)
        _ = try await client.poll(ref, scanStartedAt: Date())
        now.advance(790)
        _ = try await client.poll(ref, scanStartedAt: Date())
        #expect(fake.core.tokenRequestCount == 1)
        now.advance(20)
        _ = try await client.poll(ref, scanStartedAt: Date())
        #expect(fake.core.tokenRequestCount == 2)
        #expect(fake.core.rejectedAuthCount == 0)
        fake.stop()
    }

    @Test func concurrentPolls_ShareOneTokenRequest() async throws {
        let fake = FakeBinarly(auth: .oauth2(clientID: "scanrelay", clientSecret: "s3cret", expiresIn: 1800))
        let scanId = fake.addScan(productId: "p", imageId: "i", FakeScan(runningPolls: 100))
        let client = try await oauth2Client(fake)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 {
                group.addTask { _ = try await client.poll(.binarly(productId: "p", imageId: "i", scanId: scanId), scanStartedAt: Date()) }
            }
            try await group.waitForAll()
        }
        #expect(fake.core.tokenRequestCount == 1)
        #expect(fake.core.requestCount == 10)
        fake.stop()
    }

    @Test func wrongClientSecret_SurfacesTheTokenEndpointsMessage() async throws {
        let fake = FakeBinarly(auth: .oauth2(clientID: "scanrelay", clientSecret: "other", expiresIn: 1800))
        let client = try await oauth2Client(fake)
        await #expect(throws: UpstreamError.http(status: 401, message: "Invalid client credentials")) {
            try await client.poll(.binarly(productId: "p", imageId: "i", scanId: nil), scanStartedAt: Date())
        }
        #expect(fake.core.requestCount == 0)
        fake.stop()
    }

    func bearerBinarly(_ fake: FakeBinarly) async throws -> BinarlyClient {
        BinarlyClient(source: "binarly", configuration: .init(baseURL: try await fake.start(), auth: .bearer("binarly-token")),
                      maxConnections: 1)
    }

    struct NotAScan: Error {}

    /// The scan update one poll answers; any other answer fails the test.
    func polledScan(_ client: BinarlyClient, _ ref: ScanRef) async throws -> ScanUpdate {
        guard case .scan(let update, _) = try await client.poll(ref, scanStartedAt: Date()) else { throw NotAScan() }
        return update
    }

    @Test func aCompletedBinarlyScan_GetsItsCountsFromTheImagesFindingsReport() async throws {
        let fake = FakeBinarly()
        let scanId = fake.addScan(productId: "p", imageId: "i", FakeScan(runningPolls: 0, outcome: .completed(FakeFindings(critical: 1, high: 2, low: 4))))
        let client = try await bearerBinarly(fake)
        for ref in [ScanRef.binarly(productId: "p", imageId: "i", scanId: scanId), .binarly(productId: "p", imageId: "i", scanId: nil)] {
            let update = try await polledScan(client, ref)
            #expect(update.status == .completed)
            #expect(update.findings == Findings(critical: 1, high: 2, low: 4))
        }
        #expect(fake.core.requestCount == 4)
        fake.stop()
    }

    @Test func aRunningBinarlyScan_DoesNotAskForTheFindingsReport() async throws {
        let fake = FakeBinarly()
        let scanId = fake.addScan(productId: "p", imageId: "i", FakeScan(runningPolls: 5))
        let client = try await bearerBinarly(fake)
        let update = try await polledScan(client, .binarly(productId: "p", imageId: "i", scanId: scanId))
        #expect(update.status == .running && update.findings == nil)
        #expect(fake.core.requestCount == 1)
        fake.stop()
    }

    @Test func aFindingsReportTheTenantCannotHave_LeavesTheCountsUnknown_WhileAFailingOneFailsThePoll() async throws {
        let fake = FakeBinarly()
        let scanId = fake.addScan(productId: "p", imageId: "i", FakeScan(runningPolls: 0))
        let client = try await bearerBinarly(fake)
        let ref = ScanRef.binarly(productId: "p", imageId: "i", scanId: scanId)
        fake.core.inject(.slow(.zero), .status(403))  // Get Scan answers; the report is forbidden
        let update = try await polledScan(client, ref)
        #expect(update.status == .completed && update.findings == nil)
        fake.core.inject(.slow(.zero), .status(503))
        await #expect(throws: UpstreamError.http(status: 503, message: "Simulated failure 503. (SIMULATED)")) {
            try await client.poll(ref, scanStartedAt: Date())
        }
        fake.stop()
    }

    @Test func upstreamErrorBodies_GiveTheUpstreamsOwnMessage() async throws {
        let binarly = FakeBinarly(), yandex = FakeYandex(), opsmx = FakeOpsMx()
        let b = BinarlyClient(source: "b", configuration: .init(baseURL: try await binarly.start(), auth: .bearer("binarly-token")), maxConnections: 1)
        let y = YandexClient(source: "y", configuration: .init(baseURL: try await yandex.start(), auth: .bearer("wrong")), maxConnections: 1)
        let o = OpsMxClient(source: "o", configuration: .init(baseURL: try await opsmx.start(),
                                                               auth: .header(name: "X-OpsMx-Auth", value: "Bearer opsmx-token")), maxConnections: 1)
        await #expect(throws: UpstreamError.http(status: 404, message: "Scan not found. (SIMULATED)")) {
            try await b.poll(.binarly(productId: "p", imageId: "i", scanId: "nope"), scanStartedAt: Date())
        }
        await #expect(throws: UpstreamError.http(status: 401, message: "Token is invalid or has expired.")) {
            try await y.poll(.yandexScan(scanResultId: "x"), scanStartedAt: Date())
        }
        await #expect(throws: UpstreamError.http(status: 500, message: "Resource not found.")) {
            try await o.poll(.opsmx(projectId: "p", scanId: "s", type: "t"), scanStartedAt: Date())
        }
        binarly.stop()
        yandex.stop()
        opsmx.stop()
    }

    @Test func slowAnswer_TimesOut() async throws {
        let fake = FakeYandex()
        let id = fake.addScan(imageId: "crt", FakeScan(runningPolls: 0))
        fake.core.inject(.slow(.seconds(3)))
        let client = YandexClient(source: "y", configuration: .init(
            baseURL: try await fake.start(), auth: .bearer("yandex-iam-token"), requestTimeout: .milliseconds(300)), maxConnections: 1)
        await #expect(throws: UpstreamError.timeout) { try await client.poll(.yandexScan(scanResultId: id), scanStartedAt: Date()) }
        fake.stop()
    }

    @Test(arguments: ["../..", "a%2Fb", "x@evil.example", "a/../../b", "q?x=1#f", ".", ":lastScanResult"])
    func refValues_StaySinglePathSegments_OnTheConfiguredHost(value: String) async throws {
        let fake = FakeBinarly()
        let client = BinarlyClient(source: "b", configuration: .init(baseURL: try await fake.start(), auth: .bearer("binarly-token")),
                                   maxConnections: 1)
        // The fake routes by segment and percent-decodes each: the request counts for this scan only if every value
        // arrived whole, as one segment, at the Get Scan route of this host. (The answer itself is refused: the
        // decoder does not take such ids back from an upstream.)
        _ = try? await client.poll(.binarly(productId: value, imageId: value, scanId: value), scanStartedAt: Date())
        #expect(fake.core.requestCount(forKey: "\(value)/\(value)/\(value)") == 1)
        let target = try #require(fake.core.recentTargets.last)
        #expect(target.split(separator: "/").count == 8)
        #expect(!target.contains("?") && !target.contains("#"))
        fake.stop()
    }

    @Test func opsmxQueryValues_CannotAddParameters() async throws {
        let fake = FakeOpsMx()
        fake.addScan(projectId: "p&type=x", type: "t=1", scanId: "s#frag", FakeScan(runningPolls: 0))
        let client = OpsMxClient(source: "o", configuration: .init(baseURL: try await fake.start(),
                                 auth: .header(name: "X-OpsMx-Auth", value: "Bearer opsmx-token")), maxConnections: 1)
        let result = try await client.poll(.opsmx(projectId: "p&type=x", scanId: "s#frag", type: "t=1"), scanStartedAt: Date())
        guard case .scan(let update, _) = result else { Issue.record("no scan"); return }
        #expect(update.status == .completed)
        #expect(fake.core.recentTargets.last?.hasPrefix("/gate/ssdservice/v1/scan/filedata?") == true)
        fake.stop()
    }

    @Test func credentials_NeverAppearInErrorsOrDescriptions() async throws {
        let fake = FakeBinarly(auth: .bearer("expected"))
        let client = BinarlyClient(source: "b", configuration: .init(baseURL: try await fake.start(), auth: .bearer("s3cret-value")),
                                   maxConnections: 1)
        do {
            _ = try await client.poll(.binarly(productId: "p", imageId: "i", scanId: nil), scanStartedAt: Date())
            Issue.record("a wrong token was accepted")
        } catch {
            #expect(!error.description.contains("s3cret-value"))
        }
        #expect(!UpstreamAuth.bearer("s3cret-value").description.contains("s3cret"))
        #expect(!UpstreamAuth.oauth2(fakeOAuth2).description.contains("s3cret"))
        fake.stop()
    }
}

@Suite(.timeLimit(.minutes(1))) struct UpstreamRedirectTests {
    @Test func redirect_IsNotFollowed_SoTheCredentialStaysWithTheConfiguredHost() async throws {
        let upstream = FakeYandex(), elsewhere = FakeYandex(auth: .none)
        let elsewhereBase = try await elsewhere.start()
        let id = elsewhere.addScan(imageId: "crt", FakeScan(runningPolls: 0))
        upstream.core.inject(.redirect(to: elsewhereBase.absoluteString + "/container-registry/v1/scans/\(id)"))
        let client = YandexClient(source: "y", configuration: .init(baseURL: try await upstream.start(), auth: .bearer("yandex-iam-token")),
                                  maxConnections: 1)
        await #expect(throws: UpstreamError.http(status: 302, message: nil)) {
            try await client.poll(.yandexScan(scanResultId: id), scanStartedAt: Date())
        }
        #expect(elsewhere.core.requestCount == 0)
        upstream.stop()
        elsewhere.stop()
    }
}
