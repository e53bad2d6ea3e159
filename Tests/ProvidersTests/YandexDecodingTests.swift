import Foundation
import Providers
import ScanCore
import Testing

@Suite struct YandexDecodingTests {
    @Test func readyScanResult_WithStringCountsAndOmittedZeros_IsCompleted() throws {
        let scan = try Fixture.scan(.yandex, "yandex-scan-result")
        #expect(scan.upstreamId == "crp7hk9c3c0m6f4sd1ab" && scan.provider == .yandex)
        #expect(scan.subject == ScanSubject(imageId: "crti2c9bb8hnk1a2hse1"))
        #expect(scan.status == .completed && scan.upstreamStatus == "READY")
        #expect(scan.findings == Findings(critical: 2, high: 11, medium: 0, low: 37, negligible: 0, unknown: 4))
        #expect(scan.findings?.total == 54)
        let scannedAt = try #require(scan.upstreamUpdatedAt)
        #expect(abs(scannedAt.timeIntervalSince1970 - 1_795_458_005.123457) < 0.000_01, "nine fractional digits")
        #expect(scan.completedAt == scannedAt)
    }

    @Test func runningScanResult_HasNoFindingsYet() throws {
        let scan = try Fixture.scan(.yandex, "yandex-scan-result-running")
        #expect(scan.status == .running && scan.findings == nil && scan.completedAt == nil)
    }

    @Test func readyResultWithoutVulnerabilities_FoundNothing() throws {
        let scan = try Fixture.scan(.yandex, json: #"{"id": "r", "imageId": "i", "status": "READY"}"#)
        #expect(scan.findings == Findings())
    }

    @Test func countsAsNumbers_AreReadToo() throws {
        let scan = try Fixture.scan(.yandex, json: #"{"id": "r", "imageId": "i", "status": "READY", "vulnerabilities": {"high": 3, "medium": "0"}}"#)
        #expect(scan.findings == Findings(high: 3))
    }

    @Test(arguments: [("RUNNING", ScanStatus.running), ("READY", .completed), ("ERROR", .failed),
                      ("STATUS_UNSPECIFIED", .unknown), ("QUEUED", .unknown)])
    func statuses_MapPerTheContract(raw: String, status: ScanStatus) throws {
        let scan = try Fixture.scan(.yandex, json: #"{"id": "r", "imageId": "i", "status": "\#(raw)"}"#)
        #expect(scan.status == status && scan.upstreamStatus == raw)
    }

    @Test func pollerFunction_DecodesAScanResult() throws {
        let scan = try YandexDecoding.scanUpdate(fromScanResult: Fixture.bytes("yandex-scan-result"), source: "yc", via: .poll)
        #expect(scan.via == .poll && scan.source == "yc" && scan.raw == Fixture.bytes("yandex-scan-result"))
    }

    @Test func createImageTrigger_StartsAWatchOnTheImage_WithTheUnknownSizeSchedule() throws {
        let decoded = try Fixture.decode(.yandex, "yandex-trigger-create-image")
        #expect(decoded.events == [.startWatch(.yandexImage(imageId: "crti2c9bb8hnk1a2hse1"),
                                               imageCreatedAt: Date(timeIntervalSince1970: 1_599_476_954))])
        #expect(decoded.deliveryKey == "yandex-events:crtpk611h9kh4tr3mm0d")
    }

    @Test func otherRegistryEvents_AreIgnored_BesideCreateImage() throws {
        let decoded = try Fixture.decode(.yandex, "yandex-trigger-mixed")
        #expect(decoded.events == [
            .ignored(reason: "yandex.cloud.events.containerregistry.DeleteImage events are not acted on"),
            .startWatch(.yandexImage(imageId: "crtinewnewnewnewnew1"), imageCreatedAt: Date(timeIntervalSince1970: 1_599_477_001)),
        ])
    }

    @Test func hints_NameAScanResultOrAnImage() throws {
        #expect(try Fixture.decode(.yandex, json: #"{"scanResultId": "crp1"}"#).events == [.hint(.yandexScan(scanResultId: "crp1"))])
        #expect(try Fixture.decode(.yandex, json: #"{"imageId": "crti1"}"#).events == [.hint(.yandexImage(imageId: "crti1"))])
    }

    @Test(arguments: [
        (#"{"id": "r", "status": "READY"}"#, "imageId is required"),
        (#"{"id": "r", "imageId": "i", "status": "READY", "vulnerabilities": {"high": "-1"}}"#, "vulnerabilities.high must be a count"),
        (#"{"id": "r", "imageId": "i", "status": "READY", "vulnerabilities": {"high": "1e3"}}"#, "vulnerabilities.high must be a count"),
        (#"{"id": "r", "imageId": "i", "status": "READY", "vulnerabilities": [1]}"#, "vulnerabilities must be an object of counts"),
        (#"{"messages": []}"#, "messages must be a non-empty array of trigger messages"),
        (#"{"messages": [{"details": {}}]}"#, "messages[0].event_metadata.event_type is required"),
        (#"{"messages": [{"event_metadata": {"event_type": "x.CreateImage"}, "details": {}}]}"#, "messages[0].details.image_id is required"),
        (#"{"messages": [{"event_metadata": {"event_type": "x.CreateImage"}, "details": {"image_id": "a/b"}}]}"#,
         "messages[0].details.image_id: must be an id: visible ASCII without / ? # % or \\"),
        (#"[1, 2]"#, "expected a JSON object: " + "a Yandex ScanResult {id, imageId, status, ...}, a Container Registry trigger {messages: [...]}, or a hint {scanResultId} or {imageId}"),
    ])
    func malformedBodies_Are400s(json: String, detail: String) {
        #expect(throws: WebhookDecodeError.malformed(detail)) { try Fixture.decode(.yandex, json: json) }
    }
}
