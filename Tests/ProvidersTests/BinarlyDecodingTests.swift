import Foundation
@testable import Providers
import ScanCore
import Testing

@Suite struct BinarlyDecodingTests {
    @Test func getScan_InTheDocsVocabulary_IsACompletedScan() throws {
        let scan = try Fixture.scan(.binarly, "binarly-get-scan-docs")
        #expect(scan.upstreamId == "01JZ30CYZY52F5BPR3AAJ2DP89")
        #expect(scan.scanId == "src:01JZ30CYZY52F5BPR3AAJ2DP89")
        #expect(scan.provider == .binarly && scan.via == .webhook)
        #expect(scan.subject == ScanSubject(imageId: "01JYJ0W0AACGC7QT1Q21SRWG94", productId: "01JQPGDX8QW0YJ0XEKV1EVG534"))
        #expect(scan.status == .completed && scan.upstreamStatus == "completed")
        #expect(scan.upstreamCreatedAt == date("2024-01-20T10:00:00Z"))
        #expect(scan.upstreamUpdatedAt == date("2024-01-20T10:30:00Z"))
        #expect(scan.completedAt == date("2024-01-20T10:30:00Z"))
        #expect(scan.findings == nil)
        #expect(scan.raw == Fixture.bytes("binarly-get-scan-docs"))
    }

    @Test func getScan_InTheSpecVocabulary_WithAnAuthorObject_IsACompletedScan() throws {
        let scan = try Fixture.scan(.binarly, "binarly-get-scan-spec")
        #expect(scan.status == .completed && scan.upstreamStatus == "done")
        #expect(scan.upstreamUpdatedAt == date("2024-01-20T10:42:17.123Z"), "the state's createTime is its time")
        #expect(scan.subject.productId == "01JQPGDX8QW0YJ0XEKV1EVG534")
    }

    @Test(arguments: [
        ("new", ScanStatus.queued), ("running", .running), ("in_progress", .running), ("done", .completed),
        ("completed", .completed), ("failed", .failed), ("cancelled", .cancelled), ("no_scans", .notFound),
        ("status_unavailable", .unknown), ("paused", .unknown), ("", .unknown),
    ])
    func stateTypes_MapPerTheContract(raw: String, status: ScanStatus) throws {
        let scan = try Fixture.scan(.binarly, json: """
            {"id": "s1", "parent": "products/p/images/i", "latestScanState": {"type": "\(raw)"}}
            """)
        #expect(scan.status == status)
        #expect(scan.upstreamStatus == (raw.isEmpty ? nil : raw), "the raw value is kept")
        #expect((scan.completedAt != nil) == false, "no state time given")
    }

    @Test func scanWithoutState_IsUnknown_AndItsCreateTimeOrdersIt() throws {
        let scan = try Fixture.scan(.binarly, json: #"{"id": "s1", "parent": "products/p/images/i", "createTime": "2026-01-01T00:00:00Z"}"#)
        #expect(scan.status == .unknown)
        #expect(scan.upstreamUpdatedAt == date("2026-01-01T00:00:00Z"))
    }

    @Test func listScans_AsBinarlyAnswersIt_IsRefused_ForWantOfTheImage() {
        #expect(throws: WebhookDecodeError.malformed(
            "scans[0].parent (products/{productId}/images/{imageId}) is required to know which image was scanned")
        ) { try Fixture.decode(.binarly, "binarly-list-scans") }
    }

    @Test func listScans_WithProductAndImage_IsOneScanEach() throws {
        let events = try Fixture.decode(.binarly, "binarly-list-scans-relayed").events
        guard events.count == 2, case .scan(let first) = events[0], case .scan(let second) = events[1] else {
            Issue.record("expected two scans, got \(events)")
            return
        }
        #expect(first.upstreamId == "01JZ30CYZY52F5BPR3AAJ2DP89" && first.status == .running)
        #expect(second.status == .unknown && second.upstreamStatus == "status_unavailable")
        #expect(first.subject.imageId == "01JYJ0W0AACGC7QT1Q21SRWG94")
        #expect(JSONValue.parse(first.raw)?["id"] == .string("01JZ30CYZY52F5BPR3AAJ2DP89"), "each keeps its own JSON")
    }

    @Test func pollerFunctions_TakeTheImageFromTheirArguments() throws {
        let list = try BinarlyDecoding.scanUpdates(
            fromListScans: Fixture.bytes("binarly-list-scans"), productId: "prod_abc123", imageId: "img_abc123",
            source: "binarly", via: .poll)
        #expect(list.map(\.upstreamId) == ["scan_xyz789"])
        #expect(list[0].via == .poll && list[0].subject.productId == "prod_abc123" && list[0].status == .running)
        let one = try BinarlyDecoding.scanUpdate(
            fromGetScan: Fixture.bytes("binarly-get-scan-docs"), productId: "ignored", imageId: "ignored",
            source: "binarly", via: .poll)
        #expect(one.subject.imageId == "01JYJ0W0AACGC7QT1Q21SRWG94", "parent wins over the arguments")
    }

    @Test func emptyList_IsIgnored() throws {
        #expect(try Fixture.decode(.binarly, json: #"{"productId": "p", "imageId": "i", "scans": []}"#).events
            == [.ignored(reason: "the scan list is empty")])
    }

    @Test func hint_NamesTheScanToRefetch_WithOrWithoutScanId() throws {
        #expect(try Fixture.decode(.binarly, "binarly-hint").events == [.hint(.binarly(
            productId: "01JQPGDX8QW0YJ0XEKV1EVG534", imageId: "01JYJ0W0AACGC7QT1Q21SRWG94", scanId: "01JZ30CYZY52F5BPR3AAJ2DP89"))])
        #expect(try Fixture.decode(.binarly, json: #"{"productId": "p", "imageId": "i"}"#).events
            == [.hint(.binarly(productId: "p", imageId: "i", scanId: nil))])
    }

    @Test(arguments: [
        (#"{"productId": "p"}"#, "imageId: is required"),
        (#"{"productId": "p", "imageId": "i", "scanID": "s"}"#, "scanID: is not a field of this ref"),
        (#"{"productId": "p", "imageId": 7}"#, "imageId must be a string"),
        (#"{"productId": "p", "imageId": "../x"}"#, "imageId: must be an id: visible ASCII without / ? # % or \\"),
        (#"{"hello": "world"}"#, "expected " + "a Binarly scan resource (Get Scan), a List Scans response with productId and imageId, or a hint {productId, imageId, scanId?}"),
        (#"{"id": "s1"}"#, "parent (products/{productId}/images/{imageId}) is required to know which image was scanned"),
        (#"{"id": "s1", "parent": "products/p/images/i", "latestScanState": "done"}"#, "latestScanState must be an object"),
        (#"{"id": 5, "parent": "products/p/images/i"}"#, "id must be a string"),
        (#"{"scans": {}}"#, "scans must be an array of scan resources"),
        (#"{"id": "s?x", "parent": "products/p/images/i"}"#, "id: must be an id: visible ASCII without / ? # % or \\"),
        (#"{"id": "s", "parent": "products/p%2F/images/i"}"#, "productId: must be an id: visible ASCII without / ? # % or \\"),
    ])
    func malformedBodies_Are400s_SayingWhatWasExpected(json: String, detail: String) {
        #expect(throws: WebhookDecodeError.malformed(detail)) { try Fixture.decode(.binarly, json: json) }
    }

    @Test func parentPath_IsReadStrictly() {
        #expect(BinarlyDecoding.parent("products/p/images/i")! == ("p", "i"))
        #expect(BinarlyDecoding.parent("products/p/images/i/scans/s") == nil)
        #expect(BinarlyDecoding.parent("products//images/i") == nil)
        #expect(BinarlyDecoding.parent("images/i") == nil)
    }
}
