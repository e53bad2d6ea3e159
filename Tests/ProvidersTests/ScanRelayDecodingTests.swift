import Foundation
import Providers
import ScanCore
import Testing

@Suite struct ScanRelayDecodingTests {
    @Test func scanCompletedEvent_IsAScanOfTheReceivingSource() throws {
        let scan = try Fixture.scan(.scanrelay, "scanrelay-scan-completed")
        #expect(scan.source == "src" && scan.scanId == "src:01JZ30CYZY52F5BPR3AAJ2DP89")
        #expect(scan.upstreamId == "01JZ30CYZY52F5BPR3AAJ2DP89" && scan.status == .completed && scan.via == .webhook)
        #expect(scan.findings == Findings(high: 1, medium: 2))
        #expect(scan.upstreamUpdatedAt == date("2024-01-20T10:42:17Z"))
        #expect(scan.raw == Fixture.bytes("scanrelay-scan-completed"))
    }

    @Test func otherEventTypes_AreIgnored() throws {
        #expect(try Fixture.decode(.scanrelay, json: #"{"type": "watch.expired", "watch": {}}"#).events
            == [.ignored(reason: "watch.expired events are not acted on")])
    }

    @Test(arguments: [
        (#"{"data": {}}"#, "expected " + #"a ScanRelay event {type: "scan.completed" or "scan.updated", data: Scan}"#),
        (#"{"type": "scan.updated"}"#, "data must be a Scan object"),
        (#"{"type": "scan.updated", "data": {"upstreamId": "u", "status": "running"}}"#, "data must be a Scan with at least upstreamId, subject.imageId and status"),
        (#"{"type": "scan.updated", "data": {"upstreamId": "", "subject": {"imageId": "i"}, "status": "running"}}"#, "data.upstreamId must not be empty"),
    ])
    func malformedBodies_Are400s(json: String, detail: String) {
        #expect(throws: WebhookDecodeError.malformed(detail)) { try Fixture.decode(.scanrelay, json: json) }
    }
}
