import Testing
import HTTPCore

struct HTTPHeadersTests {
    @Test func lookups_IgnoreASCIICase_Only() {
        let headers: HTTPHeaders = ["Content-Type": "application/json", "X-Request-Id": "r1", "x-request-id": "r2", "Straße": "ß"]
        #expect(headers["content-type"] == "application/json")
        #expect(headers["CONTENT-TYPE"] == "application/json")
        #expect(headers.values(for: "X-REQUEST-ID") == ["r1", "r2"])
        #expect(headers["content-typ"] == nil && headers["content-typez"] == nil)
        // Folding is ASCII only: a non-ASCII name matches itself, never a case variant of it.
        #expect(headers["Straße"] == "ß" && headers["STRASSE"] == nil && headers["straße"] == "ß")
        #expect(headers["ſtraße"] == nil)  // U+017F (long s) is not "s"
    }

    @Test func substrings_CompareLikeStrings() {
        let line = "xx Keep-Alive yy"
        let name = line.dropFirst(3).prefix(10)
        #expect(name.equalsIgnoringASCIICase("keep-alive"))
        #expect("KEEP-ALIVE".equalsIgnoringASCIICase(name))
        #expect(!name.equalsIgnoringASCIICase("keep-alivE!"))
        #expect(!"keep-alivf".equalsIgnoringASCIICase(name))
    }
}
