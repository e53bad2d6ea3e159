import Foundation
import Testing
@testable import ScanCore

struct ScanJSONTests {
    private func decode(_ bytes: [UInt8]) throws -> Scan {
        try JSONDecoder().decode(Scan.self, from: Data(bytes))
    }

    private func object(_ bytes: [UInt8]) throws -> NSDictionary {
        try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    @Test func encodedScan_DecodesBackToTheSameValue_WithJSONDecoder() throws {
        var scan = Scan.make(score: 7.25, checks: [ScanCheck(name: "Pinned-Dependencies", score: 3, reason: "x", url: nil)])
        scan.createdAtIsUpstream = true
        let decoded = try decode(ScanJSON.encode(scan))
        // Responses carry whole seconds (PRODUCT.md, "Timestamps"): the fractions of the fixture's times are cut.
        func truncated(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
        var expected = scan
        expected.createdAt = truncated(scan.createdAt)
        expected.updatedAt = truncated(scan.updatedAt)
        expected.upstreamUpdatedAt = scan.upstreamUpdatedAt.map(truncated)
        expected.completedAt = scan.completedAt.map(truncated)
        #expect(scan.updatedAt != expected.updatedAt, "the fixture has fractions to cut")
        #expect(decoded == expected)
    }

    @Test func handWrittenEncoding_EqualsTheCodableEncoding() throws {
        let scan = Scan.make(findings: nil, checks: [ScanCheck(name: "a", score: nil, reason: nil, url: "https://x")])
        let fast = try object(ScanJSON.encode(scan))
        let codable = try object(Array(JSONEncoder().encode(scan)))
        #expect(fast == codable)
    }

    @Test func absentFindingsAndScore_AreWrittenAsNull() throws {
        let text = String(decoding: ScanJSON.encode(Scan.make(findings: nil, score: nil)), as: UTF8.self)
        #expect(text.contains("\"findings\":null"))
        #expect(text.contains("\"score\":null"))
        #expect(try decode(Array(text.utf8)).findings == nil)
    }

    @Test func unknownSubjectFields_AreLeftOut() throws {
        var scan = Scan.make()
        scan.subject = ScanSubject(imageId: "only")
        let subject = try #require(try object(ScanJSON.encode(scan))["subject"] as? NSDictionary)
        #expect(subject == ["imageId": "only"])
    }

    @Test func keys_AreWrittenInAStableOrder() {
        let text = String(decoding: ScanJSON.encode(Scan.make()), as: UTF8.self)
        let keys = ["\"id\"", "\"source\"", "\"provider\"", "\"upstreamId\"", "\"subject\"", "\"status\"",
                    "\"upstreamStatus\"", "\"createdAt\"", "\"updatedAt\"", "\"upstreamUpdatedAt\"", "\"completedAt\"",
                    "\"findings\"", "\"score\"", "\"checks\"", "\"via\"", "\"revision\""]
        let positions = keys.map { text.range(of: $0)?.lowerBound }
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
    }

    @Test func strings_AreEscaped_AndSurviveARoundTrip() throws {
        let nasty = "quote\" backslash\\ newline\n tab\t bell\u{07} nul\u{00} é 🚀 </script>"
        var scan = Scan.make(upstreamId: nasty)
        scan.upstreamStatus = nasty
        let bytes = ScanJSON.encode(scan)
        #expect(!bytes.contains(0x0A) && !bytes.contains(0x00) && !bytes.contains(0x07))
        #expect(String(decoding: bytes, as: UTF8.self).contains("\\u0007"))
        let decoded = try decode(bytes)
        #expect(decoded.upstreamId == nasty)
        #expect(decoded.upstreamStatus == nasty)
    }

    @Test func fullView_EmbedsTheRawUpstreamDocumentVerbatim() throws {
        let scan = Scan.make(raw: #"{"status":"READY","n":[1,2]}"#)
        let full = try object(ScanJSON.encode(scan, view: .full))
        #expect((full["raw"] as? NSDictionary) == ["status": "READY", "n": [1, 2]])
        #expect(try object(ScanJSON.encode(scan))["raw"] == nil)
        #expect(try object(ScanJSON.encode(Scan.make(), view: .full))["raw"] is NSNull)
    }

    @Test func nonFiniteScores_AreWrittenAsNull() throws {
        let bytes = ScanJSON.encode(Scan.make(score: .infinity, checks: [ScanCheck(name: "n", score: .nan)]))
        let check = try #require((try object(bytes)["checks"] as? [NSDictionary])?.first)
        #expect(try object(bytes)["score"] is NSNull)
        #expect(check["score"] is NSNull)
    }

    @Test func list_LeavesOutTheTokenOnTheLastPage() throws {
        let last = try object(ScanJSON.encodeList([Scan.make()]))
        #expect(last["nextPageToken"] == nil)
        #expect((last["scans"] as? [Any])?.count == 1)
        let more = try object(ScanJSON.encodeList([], nextPageToken: "abc"))
        #expect(more["nextPageToken"] as? String == "abc")
    }

    @Test func event_CarriesTypeAndScanWithoutRaw() throws {
        let event = try object(ScanJSON.encodeEvent(type: "scan.completed", scan: Scan.make(raw: "{}")))
        #expect(event["type"] as? String == "scan.completed")
        #expect((event["scan"] as? NSDictionary)?["raw"] == nil)
        #expect((event["scan"] as? NSDictionary)?["id"] as? String == "yandex:chk-1")
    }

    @Test func relayedScan_DecodesLenientlyAsAnUpdate() throws {
        let json = #"""
        {"upstreamId": "u1", "subject": {"imageId": "i"}, "status": "completed", "createdAt": "2026-01-01T00:00:00Z",
         "updatedAt": "2026-01-01T00:01:00.5Z", "findings": {"critical": 2}, "via": "poll", "extra": true}
        """#
        let update = try JSONDecoder().decode(ScanUpdate.self, from: Data(json.utf8))
        #expect(update.upstreamId == "u1")
        #expect(update.provider == .scanrelay)
        #expect(update.via == .webhook)
        #expect(update.upstreamCreatedAt == .t(0))
        #expect(update.upstreamUpdatedAt == .t(60.5))
        #expect(update.findings == Findings(critical: 2))
        #expect(update.findings?.total == 2)
        #expect(update.checks.isEmpty)
    }

    @Test func unknownStatusWords_DecodeAsUnknown() throws {
        let json = #"{"upstreamId": "u", "subject": {"imageId": "i"}, "status": "paused"}"#
        #expect(try JSONDecoder().decode(ScanUpdate.self, from: Data(json.utf8)).status == .unknown)
    }

    /// Six counts near `Int.max` would trap when summed into `total`; a negative count means nothing.
    @Test(arguments: [#"{"critical": -1}"#, #"{"critical": 9000000000000000000, "high": 9000000000000000000}"#,
                      #"{"total": 1000000000000}"#])
    func countsOutsideTheValidRange_AreRefused(findings: String) {
        let json = #"{"upstreamId": "u", "subject": {"imageId": "i"}, "status": "completed", "findings": "# + findings + "}"
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(ScanUpdate.self, from: Data(json.utf8)) }
    }
}
