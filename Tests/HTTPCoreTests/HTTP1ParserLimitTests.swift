import Testing
@testable import HTTPCore

/// Small limits so each boundary is a short vector.
private let small = HTTPLimits(
    maxRequestLineBytes: 32, maxHeaderBytes: 40, maxHeaderFields: 3, maxBodyBytes: 10, maxTrailerBytes: 12,
    maxFieldLineBytes: 26)
private let chunkedHead = "POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\nHost: h\r\n\r\n"

/// Each limit exactly at its boundary (accepted) and one byte past it (refused at the crossing byte).
let limitVectors: [ParserVector] = [
    // "GET /" + 18 bytes of path + " HTTP/1.1" is 32 bytes.
    ParserVector(
        "a request line of exactly maxRequestLineBytes",
        "GET /" + String(repeating: "a", count: 18) + " HTTP/1.1\r\nHost: h\r\n\r\n", limits: small,
        .req("GET", "/" + String(repeating: "a", count: 18), ["Host": "h"])),
    ParserVector(
        "a request line one byte past maxRequestLineBytes, refused before its end",
        "GET /" + String(repeating: "a", count: 19) + " HTTP/1.1", limits: small, .failure(414)),
    ParserVector(
        "a long target never reaching its CRLF", "GET /" + String(repeating: "a", count: 28), limits: small,
        .failure(414)),
    // "X-Fill: " is 8 bytes, so 18 more make a field line of exactly maxFieldLineBytes (26, just enough for
    // "Transfer-Encoding: chunked").
    ParserVector(
        "a field line of exactly maxFieldLineBytes",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + String(repeating: "v", count: 18) + "\r\n\r\n", limits: small,
        .req("GET", "/", ["Host": "h", "X-Fill": String(repeating: "v", count: 18)])),
    ParserVector(
        "a field line one byte past maxFieldLineBytes, refused before the line ends",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + String(repeating: "v", count: 19), limits: small, .failure(431)),
    // Field lines total 40 bytes: "Host: h" (7) + "X-Fill: " and 18 (26) + "B: " and 4 (7).
    ParserVector(
        "field lines of exactly maxHeaderBytes",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + String(repeating: "v", count: 18) + "\r\nB: 1234\r\n\r\n",
        limits: small,
        .req("GET", "/", ["Host": "h", "X-Fill": String(repeating: "v", count: 18), "B": "1234"])),
    ParserVector(
        "field lines one byte past maxHeaderBytes, refused before the line ends",
        "GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + String(repeating: "v", count: 18) + "\r\nB: 12345", limits: small,
        .failure(431)),
    ParserVector(
        "a trailer line one byte past maxFieldLineBytes",
        chunkedHead + "0\r\nX: 1234567890\r\n",
        limits: HTTPLimits(maxTrailerBytes: 100, maxFieldLineBytes: 12), .failure(431)),
    ParserVector(
        "exactly maxHeaderFields fields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", limits: small,
        .req("GET", "/", ["Host": "h", "A": "1", "B": "2"])),
    ParserVector(
        "one field past maxHeaderFields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\nC: 3\r\n", limits: small,
        .failure(431)),
    ParserVector(
        "a Content-Length of exactly maxBodyBytes",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n0123456789", limits: small,
        .req("POST", "/", ["Host": "h", "Content-Length": "10"], body: "0123456789")),
    ParserVector(
        "a Content-Length one past maxBodyBytes, refused at the end of the head",
        "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", limits: small, .failure(413)),
    ParserVector(
        "a chunked body of exactly maxBodyBytes", chunkedHead + "4\r\nabcd\r\n6\r\nefghij\r\n0\r\n\r\n", limits: small,
        .req("POST", "/", ["Transfer-Encoding": "chunked", "Host": "h"], body: "abcdefghij")),
    ParserVector(
        "a chunk that takes the body one past maxBodyBytes, refused at its size line",
        chunkedHead + "4\r\nabcd\r\n7\r\n", limits: small, .failure(413)),
    ParserVector(
        "a single chunk larger than maxBodyBytes", chunkedHead + "FFFFFFFFFFFFFFFF\r\n", limits: small,
        .failure(413)),
    // Trailer lines total 12 bytes: "X: 123456789".
    ParserVector(
        "trailers of exactly maxTrailerBytes", chunkedHead + "0\r\nX: 123456789\r\n\r\n", limits: small,
        .req("POST", "/", ["Transfer-Encoding": "chunked", "Host": "h"])),
    ParserVector(
        "trailers one byte past maxTrailerBytes", chunkedHead + "0\r\nX: 1234567890", limits: small, .failure(431)),
    ParserVector(
        "trailers crossing the limit over two lines", chunkedHead + "0\r\nX: 1234\r\nY: 567", limits: small,
        .failure(431)),
]

@Suite struct HTTP1ParserLimitTests {
    @Test(arguments: limitVectors)
    func limit_isEnforcedAtItsBoundary_underEverySplit(_ vector: ParserVector) {
        ParserHarness.check(vector)
    }

    @Test func refusal_namesTheLimitThatWasCrossed() {
        let cases = [
            ("GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + String(repeating: "v", count: 19), "field line longer than 26 bytes"),
            ("GET / HTTP/1.1\r\nHost: h\r\nX-Fill: " + String(repeating: "v", count: 18) + "\r\nB: 12345",
                "header section larger than 40 bytes"),
            (chunkedHead + "0\r\nX: 1234\r\nY: 567", "trailer section larger than 12 bytes"),
            ("GET /" + String(repeating: "a", count: 40), "request line longer than 32 bytes"),
        ]
        for (text, reason) in cases {
            #expect(ParserHarness.outcome(of: Array(text.utf8), limits: small).reasons == [reason])
        }
    }

    @Test func defaultLimits_acceptAnEightKibibyteRequestLine_andRefuseOneByteMore() {
        let path = String(repeating: "p", count: 8 * 1024 - "GET / HTTP/1.1".utf8.count)
        let atLimit = Array("GET /\(path) HTTP/1.1\r\nHost: h\r\n\r\n".utf8)
        let past = Array("GET /\(path)p HTTP/1.1".utf8)
        for (bytes, expected) in [(atLimit, ParseEvent.req("GET", "/" + path, ["Host": "h"])), (past, .failure(414))] {
            var parser = HTTP1Parser(limits: HTTPLimits())
            var events: [ParseEvent] = []
            bytes.withUnsafeBytes { parser.consume($0) { events.append(ParseEvent($0)) } }
            #expect(events == [expected])
        }
    }
}
