import Testing
@testable import HTTPCore

@Suite struct QueryParametersTests {
    @Test func values_arePercentDecoded_withPlusAsSpace_inOrder() throws {
        let query = try #require(QueryParameters("a=1&b=x+y&b=%2Fz&c&d=&e=%E2%9C%93"))
        #expect(query.items.map(\.name) == ["a", "b", "b", "c", "d", "e"])
        #expect(query["a"] == "1")
        #expect(query["b"] == "x y")
        #expect(query.values(for: "b") == ["x y", "/z"])
        #expect(query["c"] == "")
        #expect(query["d"] == "")
        #expect(query["e"] == "\u{2713}")
        #expect(query["missing"] == nil)
    }

    @Test func names_arePercentDecodedToo_andEmptyPiecesSkipped() throws {
        let query = try #require(QueryParameters("&pa%67e+token=abc&&=v&"))
        #expect(query.items == [.init(name: "page token", value: "abc"), .init(name: "", value: "v")])
    }

    @Test func valueMayHoldAnEqualsSign() throws {
        let query = try #require(QueryParameters("t=a=b"))
        #expect(query["t"] == "a=b")
    }

    @Test func noQuery_hasNoItems() throws {
        #expect(try #require(QueryParameters(nil)).items.isEmpty)
        #expect(try #require(QueryParameters("")).items.isEmpty)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "%g1=x", "a=%C3%28"])
    func malformedEscape_makesTheQueryInvalid(query: String) {
        #expect(QueryParameters(query[...]) == nil)
    }

    @Test func request_exposesItsQueryParameters() throws {
        let request = HTTPRequest(method: .get, target: "/v1/scans?limit=5&pageToken=a%2Bb")
        let query = try #require(request.queryParameters)
        #expect(query["limit"] == "5")
        #expect(query["pageToken"] == "a+b")
        #expect(HTTPRequest(method: .get, target: "/v1/scans").queryParameters?.items.isEmpty == true)
    }
}
