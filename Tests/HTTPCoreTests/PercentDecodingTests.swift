import Testing
@testable import HTTPCore

@Suite struct PercentDecodingTests {
    @Test(arguments: [
        ("plain", "plain"), ("a%2Fb", "a/b"), ("%3a%3A", "::"), ("caf%C3%A9", "caf\u{e9}"), ("a+b", "a+b"), ("%25", "%"),
        ("", ""),
    ])
    func escapes_areDecoded_andPlusIsKept_inPaths(text: String, decoded: String) {
        #expect(PercentDecoding.decode(text[...]) == decoded)
    }

    @Test func plus_isASpace_inQueries() {
        #expect(PercentDecoding.decode("a+b%2B", plusAsSpace: true) == "a b+")
    }

    @Test(arguments: ["%", "%2", "%zz", "%G0", "a%2", "%C3", "%FF%FE", "%C3%28"])
    func malformedEscapesOrBrokenUTF8_areRefused(text: String) {
        #expect(PercentDecoding.decode(text[...]) == nil)
    }
}
