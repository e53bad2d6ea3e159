import FakeUpstreams
import Foundation
import Polling
import Providers
import ScanCore
import Testing

@Suite(.timeLimit(.minutes(1))) struct PollingEndToEndTests {
    static let findings = FakeFindings(critical: 1, high: 2, medium: 3, low: 4)

    @Test(arguments: [FakeScan.Outcome.completed(findings), .failed(reason: "scanner crashed")])
    func binarlyScan_IsFollowedToItsEnd(outcome: FakeScan.Outcome) async throws {
        let fake = FakeBinarly()
        let scanId = fake.addScan(productId: "01PRODUCT", imageId: "01IMAGE", FakeScan(runningPolls: 2, outcome: outcome))
        let harness = try await EndToEndHarness(binarly: fake)
        let done = try await harness.follow(WatchRequest(
            source: "binarly", ref: .binarly(productId: "01PRODUCT", imageId: "01IMAGE", scanId: nil), imageSizeBytes: 1 << 20))
        #expect(done?.state == .done)
        #expect(done?.scanId == "binarly:\(scanId)")
        let scan = try #require(harness.store.scan(id: "binarly:\(scanId)"))
        #expect(scan.status == (outcome == .completed(Self.findings) ? .completed : .failed))
        #expect(scan.via == .poll)
        #expect(scan.subject.productId == "01PRODUCT")
        #expect(fake.core.rejectedAuthCount == 0)
        await harness.running.stop()
        fake.stop()
    }

    @Test(arguments: [FakeScan.Outcome.completed(findings), .failed(reason: "scanner crashed")])
    func yandexScan_IsFollowedToItsEnd(outcome: FakeScan.Outcome) async throws {
        let fake = FakeYandex()
        let id = fake.addScan(imageId: "crtIMAGE", FakeScan(runningPolls: 2, outcome: outcome))
        let harness = try await EndToEndHarness(yandex: fake)
        let done = try await harness.follow(WatchRequest(source: "yandex", ref: .yandexScan(scanResultId: id)))
        #expect(done?.state == .done)
        let scan = try #require(harness.store.scan(id: "yandex:\(id)"))
        if outcome == .completed(Self.findings) {
            #expect(scan.status == .completed)
            #expect(scan.findings == Findings(critical: 1, high: 2, medium: 3, low: 4))
        } else {
            #expect(scan.status == .failed)
        }
        await harness.running.stop()
        fake.stop()
    }

    @Test(arguments: [FakeScan.Outcome.completed(findings), .failed(reason: "scanner crashed")])
    func opsmxScan_IsFollowedToItsEnd(outcome: FakeScan.Outcome) async throws {
        let fake = FakeOpsMx()
        fake.addScan(projectId: "0x29ab7", type: "sourceScan", scanId: "0x29ab8", FakeScan(runningPolls: 2, outcome: outcome))
        let harness = try await EndToEndHarness(opsmx: fake)
        let done = try await harness.follow(WatchRequest(
            source: "opsmx", ref: .opsmx(projectId: "0x29ab7", scanId: "0x29ab8", type: "sourceScan")))
        #expect(done?.state == .done)
        let scan = try #require(harness.store.scan(id: "opsmx:0x29ab7/sourceScan/0x29ab8"))
        #expect(scan.status == (outcome == .completed(Self.findings) ? .completed : .failed))
        #expect(fake.core.requestCount == 3)
        await harness.running.stop()
        fake.stop()
    }

    @Test(arguments: [
        FakeFault.status(500), .status(502), .rateLimited(retryAfter: "1"), .rateLimited(retryAfter: nil),
        .slow(.seconds(2)), .malformedJSON,
    ])
    func fault_IsSurvived_AndTheScanFinallyCached(fault: FakeFault) async throws {
        let fake = FakeBinarly()
        let scanId = fake.addScan(productId: "p", imageId: "i", FakeScan(runningPolls: 1))
        fake.core.inject(fault)
        let harness = try await EndToEndHarness(binarly: fake)
        let watch = try await harness.scheduler.add(WatchRequest(
            source: "binarly", ref: .binarly(productId: "p", imageId: "i", scanId: scanId)))
        let failed = await harness.probe.change(of: watch.id) { $0.lastError != nil }
        #expect(failed?.state == .polling)
        let done = await harness.probe.change(of: watch.id) { !$0.state.isActive }
        #expect(done?.state == .done)
        #expect(harness.store.scan(id: "binarly:\(scanId)")?.status == .completed)
        await harness.running.stop()
        fake.stop()
    }

    @Test func expiredOAuth2Token_IsRenewedOnce_AndThePollRetried() async throws {
        let fake = FakeBinarly(auth: .oauth2(clientID: "scanrelay", clientSecret: "s3cret", expiresIn: 1800))
        let scanId = fake.addScan(productId: "p", imageId: "i", FakeScan(runningPolls: 3))
        let harness = try await EndToEndHarness(binarly: fake, binarlyAuth: .oauth2(fakeOAuth2))
        let watch = try await harness.scheduler.add(WatchRequest(
            source: "binarly", ref: .binarly(productId: "p", imageId: "i", scanId: scanId)))
        // A poll that got through, so a token is held: under a sanitizer the very first token request can outlast
        // the 500 ms request timeout, and that poll fails before any token is held.
        _ = await harness.probe.change(of: watch.id) { $0.polls >= 1 && $0.lastError == nil }
        let tokensBefore = fake.core.tokenRequestCount
        fake.core.expireTokens()
        let done = await harness.probe.change(of: watch.id) { !$0.state.isActive }
        #expect(done?.state == .done)
        #expect(done?.lastError == nil)
        #expect(fake.core.tokenRequestCount == tokensBefore + 1)
        #expect(fake.core.rejectedAuthCount == 1)
        await harness.running.stop()
        fake.stop()
    }

    @Test func inFlightRequests_NeverExceedTheSourceConcurrency() async throws {
        let fake = FakeBinarly()
        var refs: [ScanRef] = []
        for index in 0..<20 {
            let scanId = fake.addScan(productId: "p", imageId: "i\(index)", FakeScan(runningPolls: 2))
            refs.append(.binarly(productId: "p", imageId: "i\(index)", scanId: scanId))
        }
        // Every answer takes a while, so polls of all 20 watches pile up at the limit.
        for _ in 0..<60 { fake.core.inject(.slow(.milliseconds(20))) }
        var policy = EndToEndHarness.fastPolicy
        policy.concurrencyPerSource = 4
        // No request may time out here: a timed-out request frees its slot while the fake is still answering it,
        // which a loaded machine would make look like a fifth request in flight.
        policy.requestTimeout = .seconds(30)
        let harness = try await EndToEndHarness(binarly: fake, policy: policy)
        var ids: Set<String> = []
        for ref in refs { ids.insert(try await harness.scheduler.add(WatchRequest(source: "binarly", ref: ref)).id) }
        await harness.probe.waitUntilEnded(ids)
        // Three Get Scans per watch (two running, one completed) and the completed scan's findings report.
        #expect(fake.core.requestCount == 80)
        #expect(fake.core.maxInFlight <= 4)
        #expect(fake.core.maxInFlight > 1)
        await harness.running.stop()
        fake.stop()
    }

    @Test func cancelledWatch_SendsNoMoreRequests() async throws {
        let fake = FakeBinarly()
        let endless = fake.addScan(productId: "p", imageId: "endless", FakeScan(runningPolls: 1_000_000))
        let short = fake.addScan(productId: "p", imageId: "short", FakeScan(runningPolls: 4))
        var policy = EndToEndHarness.fastPolicy
        policy.interval = .init(min: .milliseconds(100), max: .milliseconds(100))
        let harness = try await EndToEndHarness(binarly: fake, policy: policy)
        let cancelled = try await harness.scheduler.add(WatchRequest(
            source: "binarly", ref: .binarly(productId: "p", imageId: "endless", scanId: endless)))
        // Cancelled right after a poll has finished, so none is in flight.
        _ = await harness.probe.change(of: cancelled.id) { $0.polls == 1 }
        #expect(await harness.scheduler.cancel(id: cancelled.id)?.state == .cancelled)
        let requestsAtCancel = fake.core.requestCount(forKey: "p/endless/\(endless)")
        let control = try await harness.follow(WatchRequest(
            source: "binarly", ref: .binarly(productId: "p", imageId: "short", scanId: short)))
        #expect(control?.polls == 5)
        #expect(fake.core.requestCount(forKey: "p/endless/\(endless)") == requestsAtCancel)
        #expect(await harness.scheduler.watch(id: cancelled.id)?.state == .cancelled)
        await harness.running.stop()
        fake.stop()
    }

    @Test func yandexLastScanResult_OlderThanTheWatchedScan_IsIgnored() async throws {
        let fake = FakeYandex()
        let started = Date()
        let old = fake.addScan(imageId: "crtIMAGE", FakeScan(runningPolls: 0, createdAt: started.addingTimeInterval(-3600)))
        let harness = try await EndToEndHarness(yandex: fake)
        let watch = try await harness.scheduler.add(WatchRequest(
            source: "yandex", ref: .yandexImage(imageId: "crtIMAGE"), scanStartedAt: started))
        let waiting = await harness.probe.change(of: watch.id) { $0.polls == 2 }
        #expect(waiting?.state == .polling)
        #expect(waiting?.scanId == nil)
        let fresh = fake.addScan(imageId: "crtIMAGE", FakeScan(runningPolls: 0, createdAt: started.addingTimeInterval(1)))
        let done = await harness.probe.change(of: watch.id) { !$0.state.isActive }
        #expect(done?.scanId == "yandex:\(fresh)")
        #expect(harness.store.scan(id: "yandex:\(old)") == nil)
        #expect(harness.store.scan(id: "yandex:\(fresh)")?.status == .completed)
        await harness.running.stop()
        fake.stop()
    }
}
