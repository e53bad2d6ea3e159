import HTTPCore
import Testing

struct EntityTagTests {
    @Test func headerValue_QuotesTheOpaquePart_WithW_ForAWeakTag() {
        #expect(EntityTag("3").headerValue == "\"3\"")
        #expect(EntityTag("3", weak: true).headerValue == "W/\"3\"")
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
        #expect(EntityTag("3-a").isMatched(byIfNoneMatch: header) == matches)
    }

    @Test func weakCurrentTag_StillMatchesItsStrongForm() {
        #expect(EntityTag("3-a", weak: true).isMatched(byIfNoneMatch: "\"3-a\""))
    }

    @Test func noIfNoneMatch_MatchesNothing() {
        #expect(!EntityTag("3").isMatched(byIfNoneMatch: nil))
    }
}
