import Foundation
import Providers
import ScanCore
import Testing

/// Harbor webhooks. `harbor-default-scanning-*` and `harbor-cloudevents-scanning-*` are the real payloads of
/// `../shared/fixtures/harbor-real/`, copied byte for byte (made from Harbor's own payload types and formatters); the
/// other `harbor-*` fixtures are written in the same shape (compact Go encoding, empty fields kept, no `date_created`,
/// fractions trimmed) for cases those do not cover: SBOM events, the older adapter report type, a report still running.
@Suite struct HarborDecodingTests {
    private let nodeDigest = "sha256:6094a544c2e2b6d4d5c1a1d0e8e9f8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1"
    private let apiDigest = "sha256:3333333333333333333333333333333333333333333333333333333333333333"

    @Test func realDefaultCompleted_IsACompletedVulnerabilityScanWithFindings() throws {
        let decoded = try Fixture.decode(.harbor, "harbor-default-scanning-completed")
        guard case .scan(let scan) = try #require(decoded.events.first), decoded.events.count == 1 else {
            Issue.record("expected one scan")
            return
        }
        #expect(scan.upstreamId == "c86fb19c-0168-4aca-9921-17ff04d53612" && scan.provider == .harbor)
        #expect(scan.subject == ScanSubject(imageId: "library/node@\(nodeDigest)", repository: "library/node", digest: nodeDigest, tag: "latest"))
        #expect(scan.scanType == "vulnerability")
        #expect(scan.status == .completed && scan.upstreamStatus == "Success")
        #expect(scan.findings == Findings(critical: 1, high: 2, low: 3, total: 6))
        #expect(scan.upstreamCreatedAt == date("2025-07-29T03:00:11.132206Z"))
        #expect(scan.upstreamUpdatedAt == date("2025-07-29T03:00:20.265765Z") && scan.completedAt == scan.upstreamUpdatedAt)
        #expect(scan.raw == Fixture.bytes("harbor-default-scanning-completed"))
        #expect(decoded.deliveryKey
            == "harbor:SCANNING_COMPLETED:1753758023:\(nodeDigest),vulnerability,c86fb19c-0168-4aca-9921-17ff04d53612,Success")
    }

    @Test func realDefaultFailed_IsAFailedScanWithoutCounts() throws {
        let scan = try Fixture.scan(.harbor, "harbor-default-scanning-failed")
        #expect(scan.upstreamId == "7a6b5c4d-3e2f-4a1b-9c8d-7e6f5a4b3c2d" && scan.scanType == "vulnerability")
        #expect(scan.status == .failed && scan.upstreamStatus == "Error" && scan.findings == nil)
        #expect(scan.subject.imageId == "library/api@\(apiDigest)" && scan.subject.tag == nil, "Harbor omits an empty tag")
        #expect(scan.completedAt == date("2025-07-29T03:05:56.871003Z"))
    }

    @Test func realScheduledScan_WithoutAReport_IsAHintToReadTheArtifact_KeyedByItsCloudEventsId() throws {
        let decoded = try Fixture.decode(.harbor, "harbor-cloudevents-scanning-completed-scheduled")
        #expect(decoded.events == [.hint(.harbor(
            repository: "library/web", reference: "sha256:5555555555555555555555555555555555555555555555555555555555555555"))])
        #expect(decoded.deliveryKey == "harbor:ce:/projects/8/webhook/policies/1:fb02596d-e40e-48bd-8b14-48f9bfb5fa23",
                "Harbor formats a body once: retries resend the same id")
    }

    @Test func realCloudEventsStopped_IsACancelledScan() throws {
        let decoded = try Fixture.decode(.harbor, "harbor-cloudevents-scanning-stopped")
        guard case .scan(let scan) = try #require(decoded.events.first) else {
            Issue.record("expected a scan")
            return
        }
        #expect(scan.upstreamId == "0d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a" && scan.subject.imageId.hasPrefix("proj/tool@sha256:4444"))
        #expect(scan.status == .cancelled && scan.upstreamStatus == "Stopped" && scan.findings == nil)
        #expect(scan.completedAt == date("2025-07-29T03:10:04.75Z"), "Go trims trailing zeros of fractions")
        #expect(decoded.deliveryKey == "harbor:ce:/projects/2/webhook/policies/7:6c5d4e3f-2a1b-4c0d-9e8f-7a6b5c4d3e2f")
    }

    @Test func cloudEventsCompleted_IsTheSameKindOfScan() throws {
        let scan = try Fixture.scan(.harbor, "harbor-cloudevents-completed")
        #expect(scan.upstreamId == "9f0e8d7c-6b5a-4938-8271-605f4e3d2c1b")
        #expect(scan.subject.imageId == "proj/node@\(nodeDigest)" && scan.status == .completed)
        #expect(scan.findings == Findings(critical: 1, high: 2, low: 3, total: 6))
    }

    @Test func sbomEvent_IsAnSBOMScan_NeverTheVulnerabilityScanOfTheArtifact() throws {
        let sbom = try Fixture.scan(.harbor, "harbor-default-sbom-completed")
        let vulnerability = try Fixture.scan(.harbor, "harbor-default-scanning-completed")
        #expect(sbom.subject.imageId == vulnerability.subject.imageId)
        #expect(sbom.scanType == "sbom" && sbom.upstreamId == "\(nodeDigest)/sbom" && sbom.scanId != vulnerability.scanId)
        #expect(sbom.status == .completed && sbom.findings == nil, "an SBOM has no vulnerability counts")
        #expect(sbom.completedAt == date("2025-07-29T03:00:29.918Z"))
    }

    @Test func vulnerabilityAndSBOMFailures_OfOneDigestInOneSecond_AreTwoDeliveries() throws {
        let vulnerability = try Fixture.decode(.harbor, "harbor-default-scanning-failed")
        let sbom = try Fixture.decode(.harbor, "harbor-default-sbom-failed")
        guard case .scan(let sbomScan) = try #require(sbom.events.first) else {
            Issue.record("expected a scan")
            return
        }
        #expect(sbomScan.scanType == "sbom" && sbomScan.status == .failed && sbomScan.upstreamId == "\(apiDigest)/sbom")
        let keys = [vulnerability.deliveryKey, sbom.deliveryKey]
        #expect(keys.allSatisfy { $0?.hasPrefix("harbor:SCANNING_FAILED:1753758357:\(apiDigest)") == true })
        #expect(keys[0] != keys[1], "the key tells the scan types apart")
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
    }

    @Test func aScanTypeHarborMayAddLater_IsIgnored() throws {
        let json = #"{"type":"SCANNING_COMPLETED","occur_at":1,"event_data":{"resources":[{"digest":"sha256:d"}],"repository":{"repo_full_name":"p/r"},"scan":{"scan_type":"secrets"}}}"#
        #expect(try Fixture.decode(.harbor, json: json).events == [.ignored(reason: "scan type secrets is not acted on")])
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
             "resources": [{"digest": "sha256:a"}, {"digest": "sha256:b"}]}}
            """
        let decoded = try Fixture.decode(.harbor, json: json)
        let scans = decoded.events.compactMap { if case .scan(let s) = $0 { s } else { nil } }
        #expect(scans.map(\.subject.imageId) == ["p/r@sha256:a", "p/r@sha256:b"])
        #expect(scans.allSatisfy { $0.status == .failed && JSONValue.parse($0.raw)?["digest"] != nil })
        #expect(decoded.deliveryKey == "harbor:SCANNING_FAILED:5:sha256:a,vulnerability,-,-:sha256:b,vulnerability,-,-")
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
        (#"{"type": "SCANNING_COMPLETED", "event_data": {"resources": [{"digest": "d"}]}}"#, "event_data.repository.repo_full_name is required to name the scanned image"),
        (#"{"type": "SCANNING_COMPLETED", "event_data": {"repository": {"repo_full_name": "p/r"}, "resources": [{"tag": "x"}]}}"#, "event_data.resources[0].digest is required"),
        (#"{"type": "SCANNING_COMPLETED", "event_data": {"repository": {"repo_full_name": "p/../r"}, "resources": [{"digest": "d"}]}}"#, "event_data.repository.repo_full_name: must be an id: visible ASCII without / ? # % or \\"),
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
