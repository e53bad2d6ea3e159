import Foundation
import Providers
import ScanCore
import Testing

@Suite struct OpsMxDecodingTests {
    @Test func wrappedFiledata_IsACompletedScan_WithScoreAndChecks() throws {
        let scan = try Fixture.scan(.opsmx, "opsmx-webhook")
        #expect(scan.upstreamId == "0x29ab7/sourceScan/0x29ab8" && scan.provider == .opsmx)
        #expect(scan.subject == ScanSubject(imageId: "0x29ab7", projectId: "0x29ab7"))
        #expect(scan.status == .completed && scan.upstreamStatus == "Completed")
        #expect(scan.score == 2.4 && scan.findings == nil)
        #expect(scan.checks == [ScanCheck(
            name: "Binary-Artifacts", score: 10, reason: "no binaries found in the repo",
            url: "https://github.com/ossf/scorecard/blob/c22063e786c11f9dd714d777a687ff7c4599b600/docs/checks.md#binary-artifacts")])
    }

    @Test func pollerFunction_ReadsTheBareArray() throws {
        let scan = try OpsMxDecoding.scanUpdate(
            fromFiledata: Fixture.bytes("opsmx-filedata"), projectId: "0x29ab7", type: "sourceScan", scanId: "0x29ab8",
            source: "opsmx", via: .poll)
        #expect(scan.scanId == "opsmx:0x29ab7/sourceScan/0x29ab8" && scan.status == .completed && scan.via == .poll)
    }

    @Test(arguments: [
        (#"[{"status": "Completed"}, {"status": "COMPLETED"}]"#, ScanStatus.completed),
        (#"[{"status": "Completed"}, {"status": "Running"}]"#, .running),
        (#"[{"status": "Scanning"}]"#, .running),
        (#"[]"#, .running),
        (#"[{"status": "Completed"}, {"status": "Failed"}]"#, .failed),
        (#"[{"status": "scanError"}]"#, .failed),
        (#"[{"status": "Completed", "error": "tool crashed"}]"#, .failed),
        (#"[{"status": "Completed", "error": ""}]"#, .completed),
    ])
    func statuses_MapPerTheContract(results: String, status: ScanStatus) throws {
        let scan = try Fixture.scan(.opsmx, json: #"{"projectId": "p", "scanId": "s", "type": "t", "results": \#(results)}"#)
        #expect(scan.status == status)
    }

    @Test func score_IsTheFirstToolsThatHasOne_AndChecksComeFromEveryTool() throws {
        let scan = try Fixture.scan(.opsmx, json: """
            {"projectId": "p", "scanId": "s", "type": "t", "results": [
              {"status": "Completed", "metadata": {}, "data": [{"name": "A"}, {"reason": "nameless"}]},
              {"status": "Completed", "metadata": {"score": 7.5}, "data": [{"name": "B", "score": 3}]},
              {"status": "Completed", "metadata": {"score": 1}}]}
            """)
        #expect(scan.score == 7.5)
        #expect(scan.checks == [ScanCheck(name: "A"), ScanCheck(name: "B", score: 3)])
    }

    @Test func bodyWithoutResults_IsAHint() throws {
        #expect(try Fixture.decode(.opsmx, json: #"{"projectId": "0x29ab7", "scanId": "0x29ab8", "type": "sourceScan"}"#).events
            == [.hint(.opsmx(projectId: "0x29ab7", scanId: "0x29ab8", type: "sourceScan"))])
    }

    @Test(arguments: [
        (#"{"projectId": "p", "scanId": "s"}"#, "type: is required"),
        (#"{"projectId": "p", "scanId": "s", "type": "t", "results": {}}"#, "results must be the filedata array"),
        (#"{"projectId": "p", "scanId": "s", "type": "t", "results": [1]}"#, "results[0] must be an object"),
        (#"{"projectId": "p", "scanId": "s", "type": "t", "extra": "x"}"#, "extra: is not a field of this ref"),
    ])
    func malformedBodies_Are400s(json: String, detail: String) {
        #expect(throws: WebhookDecodeError.malformed(detail)) { try Fixture.decode(.opsmx, json: json) }
    }
}
