import Testing
@testable import ScanCore

struct ETagTests {
    @Test func etag_IsAQuotedStrongTag_ThatChangesWithTheRevision() {
        var scan = Scan.make()
        let first = ETag.of(scan)
        #expect(first.hasPrefix("\"3-") && first.hasSuffix("\""))
        scan.revision += 1
        #expect(ETag.of(scan) != first)
    }

    @Test func etag_DiffersForTheSameRevisionChangedAtAnotherTime() {
        var scan = Scan.make()
        let first = ETag.of(scan)
        scan.updatedAt = .t(61)
        #expect(ETag.of(scan) != first)
    }

    @Test(arguments: [
        ("\"3-a\"", true),
        ("W/\"3-a\"", true),
        ("*", true),
        ("\"1-x\", \"3-a\"", true),
        ("\"1-x\",W/\"3-a\"", true),
        ("  \"3-a\"  ", true),
        ("\"3-b\"", false),
        ("3-a", false),
        ("\"3-a", false),
        ("", false),
        ("\"1-x\", \"2-y\"", false),
        ("\"3-a,\"", false),
    ])
    func ifNoneMatch_ComparesWeaklyOverAList(header: String, matches: Bool) {
        #expect(ETag.matches(ifNoneMatch: header, etag: "\"3-a\"") == matches)
    }

    @Test func weakCurrentTag_StillMatchesItsStrongForm() {
        #expect(ETag.matches(ifNoneMatch: "\"3-a\"", etag: "W/\"3-a\""))
    }
}
