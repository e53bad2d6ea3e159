import Foundation
import Providers
import ScanCore
import Testing

/// `RelayedScan` reads a `scanrelay` event's `data` from the parsed tree with the rules `ScanUpdate`'s `Decodable`
/// conformance has: these pin the cases a hand-written reader could get differently.
@Suite struct RelayedScanTests {
    private func relayed(_ data: String) throws -> ScanUpdate {
        try Fixture.scan(.scanrelay, json: #"{"type": "scan.updated", "data": "# + data + "}")
    }

    private static let refused = WebhookDecodeError.malformed(
        "data must be a Scan with at least upstreamId, subject.imageId and status")

    @Test func everyFieldOfAScanIsRead() throws {
        let scan = try relayed(#"""
            {"source": "elsewhere", "provider": "opsmx", "upstreamId": "u1", "status": "failed", "upstreamStatus": "x",
             "subject": {"imageId": "i", "productId": "p", "repository": "r", "digest": "sha256:d", "tag": "t",
                         "projectId": "pr", "imageSizeBytes": 4096},
             "createdAt": "2026-01-20T10:00:00Z", "upstreamUpdatedAt": "2026-01-20T10:42:17.5Z",
             "completedAt": "2026-01-20T10:42:18Z", "findings": {"critical": 1, "total": 7}, "score": 7.5,
             "checks": [{"name": "Pinned-Dependencies", "score": 3, "reason": "some", "url": null}], "ignored": [1, 2]}
            """#)
        #expect(scan.source == "src" && scan.provider == .opsmx && scan.upstreamId == "u1" && scan.status == .failed)
        #expect(scan.upstreamStatus == "x" && scan.via == .webhook)
        #expect(scan.subject == ScanSubject(
            imageId: "i", productId: "p", repository: "r", digest: "sha256:d", tag: "t", projectId: "pr",
            imageSizeBytes: 4096))
        #expect(scan.upstreamCreatedAt == date("2026-01-20T10:00:00Z"))
        #expect(scan.upstreamUpdatedAt == date("2026-01-20T10:42:17.5Z"))
        #expect(scan.completedAt == date("2026-01-20T10:42:18Z"))
        #expect(scan.findings == Findings(critical: 1, total: 7))
        #expect(scan.score == 7.5)
        #expect(scan.checks == [ScanCheck(name: "Pinned-Dependencies", score: 3, reason: "some")])
    }

    @Test func absentAndNullFieldsTakeTheirDefaults() throws {
        let scan = try relayed(#"""
            {"upstreamId": "u", "subject": {"imageId": "i", "tag": null}, "status": "somethingNew", "provider": null,
             "findings": null, "checks": null, "score": null, "createdAt": null}
            """#)
        #expect(scan.provider == .scanrelay && scan.status == .unknown && scan.subject.tag == nil)
        #expect(scan.findings == nil && scan.checks.isEmpty && scan.score == nil && scan.upstreamCreatedAt == nil)
    }

    @Test func emptyStringsAreKeptAsSent() throws {
        #expect(try relayed(#"{"upstreamId": "u", "subject": {"imageId": "i", "tag": ""}, "status": "queued"}"#)
            .subject.tag == "")
    }

    @Test func updatedAtIsReadOnlyWhenUpstreamUpdatedAtIsAbsent() throws {
        let base = #""upstreamId": "u", "subject": {"imageId": "i"}, "status": "running""#
        #expect(try relayed("{\(base), \"updatedAt\": \"2026-01-20T10:00:00Z\"}").upstreamUpdatedAt
            == date("2026-01-20T10:00:00Z"))
        #expect(try relayed(
            "{\(base), \"upstreamUpdatedAt\": \"2026-01-20T09:00:00Z\", \"updatedAt\": \"not a time\"}"
        ).upstreamUpdatedAt == date("2026-01-20T09:00:00Z"))
    }

    @Test(arguments: [
        #""score": "high""#,
        #""findings": {"high": 1.5}"#,
        #""findings": [1]"#,
        // Counts beyond any real scan: six near Int.max would overflow when summed into total.
        #""findings": {"critical": -1}"#,
        #""findings": {"critical": 9e18, "high": 9e18}"#,
        #""findings": {"total": 1e12}"#,
        #""provider": "nobody""#,
        #""createdAt": "yesterday""#,
        #""completedAt": 1700000000"#,
        #""checks": [{"score": 1}]"#,
        #""checks": [null]"#,
        #""checks": {"name": "x"}"#,
        #""upstreamStatus": 3"#,
        #""source": false"#,
    ])
    func aFieldOfTheWrongTypeRefusesTheScan(field: String) {
        #expect(throws: Self.refused) {
            try relayed(#"{"upstreamId": "u", "subject": {"imageId": "i"}, "status": "running", "# + field + "}")
        }
    }

    @Test(arguments: [
        #"{"upstreamId": "u", "subject": {"imageId": "i", "imageSizeBytes": 1.5}, "status": "running"}"#,
        #"{"upstreamId": "u", "subject": {"imageId": "i", "imageSizeBytes": -4096}, "status": "running"}"#,
        #"{"upstreamId": "u", "subject": "i", "status": "running"}"#,
        #"{"upstreamId": "u", "subject": {"imageId": "i"}, "status": 1}"#,
        #"{"upstreamId": null, "subject": {"imageId": "i"}, "status": "running"}"#,
    ])
    func aMissingOrMistypedRequiredFieldRefusesTheScan(data: String) {
        #expect(throws: Self.refused) { try relayed(data) }
    }

    /// The fields are read from the parsed document in place (`JSONDocument`): these pin what the `JSONValue`
    /// tree's dictionaries did implicitly.
    @Test func aRepeatedKeyCountsOnlyInItsLastOccurrence() throws {
        let scan = try relayed(#"""
            {"upstreamId": 1, "upstreamId": "u", "status": "running", "subject": {"imageId": "a", "imageId": "b"},
             "findings": {"high": "x", "high": 2}, "status": "failed"}
            """#)
        #expect(scan.upstreamId == "u" && scan.status == .failed && scan.subject.imageId == "b")
        #expect(scan.findings == Findings(high: 2))
        #expect(throws: Self.refused) {
            try relayed(#"{"upstreamId": "u", "subject": {"imageId": "i"}, "status": "running", "status": 3}"#)
        }
    }

    @Test func keysAndValuesWithEscapesOrNonASCIIAreReadAsTheirText() throws {
        let scan = try relayed(#"""
            {"upstream\u0049d": "u\u00e9", "subject": {"imageId": "é/\"i\""}, "st\u0061tus": "queued",
             "ignored": {"nested": ["\ud83d\ude00", {"imageId": "not this one"}]}}
            """#)
        #expect(scan.upstreamId == "ué" && scan.subject.imageId == #"é/"i""# && scan.status == .queued)
    }

    @Test func nestedObjectsOfOtherKeysAreSkippedWhole() throws {
        let scan = try relayed(#"""
            {"extra": {"upstreamId": "wrong", "status": "failed", "deeper": [[{"subject": 1}]]}, "upstreamId": "u",
             "subject": {"imageId": "i"}, "status": "completed", "checks": [{"name": "n", "x": {"score": "no"}}]}
            """#)
        #expect(scan.upstreamId == "u" && scan.status == .completed && scan.checks == [ScanCheck(name: "n")])
    }
}
