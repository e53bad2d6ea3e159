import Foundation
import Providers
import ScanCore
import Testing

@Suite struct HarborDecodingTests {
    private let nodeDigest = "sha256:6094a544c2e2b6d4d5c1a1d0e8e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1"

    @Test func defaultFormat_Completed_IsACompletedScanWithFindings() throws {
        let decoded = try Fixture.decode(.harbor, "harbor-default-completed")
        guard case .scan(let scan) = try #require(decoded.events.first), decoded.events.count == 1 else {
            Issue.record("expected one scan")
            return
        }
        #expect(scan.upstreamId == "c86fb19c-0168-4aca-9921-17ff04d53612" && scan.provider == .harbor)
        #expect(scan.subject == ScanSubject(imageId: "proj/node@\(nodeDigest)", repository: "proj/node", digest: nodeDigest, tag: "latest"))
        #expect(scan.status == .completed && scan.upstreamStatus == "Success")
        #expect(scan.findings == Findings(high: 3, medium: 1, total: 4))
        #expect(scan.upstreamCreatedAt == date("2021-03-16T07:42:43.132206Z"))
        #expect(scan.upstreamUpdatedAt == date("2021-03-16T07:42:52.265765Z") && scan.completedAt == scan.upstreamUpdatedAt)
        #expect(scan.raw == Fixture.bytes("harbor-default-completed"))
        #expect(decoded.deliveryKey == "harbor:SCANNING_COMPLETED:1615880572:\(nodeDigest)")
    }

    @Test func cloudEventsFormat_Completed_IsTheSameKindOfScan() throws {
        let decoded = try Fixture.decode(.harbor, "harbor-cloudevents-completed")
        guard case .scan(let scan) = try #require(decoded.events.first) else {
            Issue.record("expected a scan")
            return
        }
        #expect(scan.upstreamId == "9f0e8d7c-6b5a-4938-8271-605f4e3d2c1b")
        #expect(scan.subject.imageId == "proj/node@\(nodeDigest)" && scan.status == .completed)
        #expect(scan.findings == Findings(critical: 1, high: 2, low: 3))
        #expect(decoded.deliveryKey == "harbor:SCANNING_COMPLETED:2023-03-06T06:08:43Z:\(nodeDigest)",
                "the CloudEvents id changes on every retry, so it is not the key")
    }

    @Test func olderAdapterReportKey_AndSeveritiesInAnyCase_AreRead() throws {
        let scan = try Fixture.scan(.harbor, "harbor-default-completed-adapter-v1.0")
        #expect(scan.upstreamId == "5e1b6f0a-8a4c-4d0e-9c7a-2f3b4c5d6e7f" && scan.subject.repository == "library/nginx")
        #expect(scan.findings == Findings(critical: 1, high: 2, low: 3, negligible: 1, unknown: 2, total: 9))
    }

    @Test func completedEvent_WhoseReportStillSaysRunning_StaysRunning() throws {
        let scan = try Fixture.scan(.harbor, "harbor-default-completed-still-running")
        #expect(scan.status == .running && scan.upstreamStatus == "Running")
        #expect(scan.completedAt == nil && scan.findings == nil)
        #expect(scan.upstreamUpdatedAt == Date(timeIntervalSince1970: 1_700_000_123), "Go's zero end_time is no time")
        #expect(scan.subject.tag == nil, "an empty tag is no tag")
    }

    @Test func failedEvent_IsAFailedScan() throws {
        let scan = try Fixture.scan(.harbor, "harbor-default-failed")
        #expect(scan.status == .failed && scan.upstreamStatus == "Error" && scan.findings == nil)
        #expect(scan.completedAt == date("2023-11-14T22:20:56Z"))
    }

    @Test func stoppedEvent_WithoutAReport_IsACancelledScan_KeyedByDigestAndScanType() throws {
        let scan = try Fixture.scan(.harbor, "harbor-cloudevents-stopped")
        #expect(scan.status == .cancelled && scan.upstreamStatus == "SCANNING_STOPPED")
        #expect(scan.upstreamId == "sha256:4444444444444444444444444444444444444444444444444444444444444444/sbom")
        #expect(scan.completedAt == date("2024-05-01T10:00:00Z"))
    }

    @Test func completedEvent_WithAnEmptyOverview_IsIgnored() throws {
        let events = try Fixture.decode(.harbor, "harbor-default-completed-empty-overview").events
        #expect(events == [.ignored(reason: "SCANNING_COMPLETED without a scan report for sha256:5555555555555555555555555555555555555555555555555555555555555555")])
    }

    @Test(arguments: [
        ("Success", ScanStatus.completed), ("success", .completed), ("Running", .running), ("Pending", .running),
        ("Error", .failed), ("Stopped", .cancelled), ("Exploded", .unknown),
    ])
    func reportStatusUnderACompletedEvent_DecidesTheStatus(scanStatus: String, status: ScanStatus) throws {
        let scan = try Fixture.scan(.harbor, json: event(type: "SCANNING_COMPLETED", report: #"{"scan_status": "\#(scanStatus)"}"#))
        #expect(scan.status == status)
    }

    @Test func severalResources_AreSeveralScans_EachWithItsOwnRaw() throws {
        let json = """
            {"type": "SCANNING_FAILED", "occur_at": 5, "event_data": {"repository": {"namespace": "p", "name": "r"},
             "resources": [{"digest": "sha256:a", "scan_overview": {}}, {"digest": "sha256:b", "scan_overview": {}}]}}
            """
        let decoded = try Fixture.decode(.harbor, json: json)
        let scans = decoded.events.compactMap { if case .scan(let s) = $0 { s } else { nil } }
        #expect(scans.map(\.subject.imageId) == ["p/r@sha256:a", "p/r@sha256:b"])
        #expect(scans.allSatisfy { $0.status == .failed && JSONValue.parse($0.raw)?["digest"] != nil })
        #expect(decoded.deliveryKey == "harbor:SCANNING_FAILED:5:sha256:a:sha256:b")
    }

    @Test func bodyWithMoreThanAThousandScans_IsUnprocessable() {
        let resources = (0...WebhookDecoding.maximumEvents).map { #"{"digest": "sha256:\#($0)", "scan_overview": {}}"# }
        let json = #"{"type": "SCANNING_STOPPED", "occur_at": 1, "event_data": {"repository": {"repo_full_name": "p/r"}, "resources": [\#(resources.joined(separator: ","))]}}"#
        #expect(throws: WebhookDecodeError.unprocessable("the body carries 1001 events; at most 1000 are accepted")) {
            try Fixture.decode(.harbor, json: json)
        }
    }

    @Test func otherHarborEvents_AreIgnored() throws {
        #expect(try Fixture.decode(.harbor, json: #"{"type": "PUSH_ARTIFACT", "occur_at": 1, "event_data": {}}"#).events
            == [.ignored(reason: "PUSH_ARTIFACT events are not acted on")])
        #expect(try Fixture.decode(.harbor, json: #"{"specversion": "1.0", "type": "harbor.artifact.pushed", "data": {}}"#).events
            == [.ignored(reason: "harbor.artifact.pushed events are not acted on")])
    }

    @Test(arguments: [
        (#"{"event_data": {}}"#, "expected " + "a Harbor webhook: Default {type, occur_at, event_data} or CloudEvents {specversion, type, data}"),
        (#"{"type": "SCANNING_COMPLETED", "event_data": []}"#, "event_data must be an object"),
        (#"{"specversion": "1.0", "type": "harbor.scan.completed", "data": {"resources": []}}"#, "data.resources must be a non-empty array"),
        (#"{"type": "SCANNING_COMPLETED", "event_data": {"resources": [{"digest": "d"}]}}"#, "repository.repo_full_name is required to name the scanned image"),
        (#"{"type": "SCANNING_COMPLETED", "event_data": {"repository": {"repo_full_name": "p/r"}, "resources": [{"tag": "x"}]}}"#, "resources[0].digest is required"),
    ])
    func malformedBodies_Are400s(json: String, detail: String) {
        #expect(throws: WebhookDecodeError.malformed(detail)) { try Fixture.decode(.harbor, json: json) }
    }

    private func event(type: String, report: String) -> String {
        """
        {"type": "\(type)", "occur_at": 1700000000, "event_data": {"repository": {"repo_full_name": "p/r"},
         "resources": [{"digest": "sha256:d", "tag": "t", "scan_overview": {
           "application/vnd.security.vulnerability.report; version=1.1": \(report)}}]}}
        """
    }
}
