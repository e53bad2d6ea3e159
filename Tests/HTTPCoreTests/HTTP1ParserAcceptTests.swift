import Testing
@testable import HTTPCore

/// Requests the parser must accept, each with its exact parsed form.
let acceptVectors: [ParserVector] = [
    ParserVector("a plain GET", "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n", .req("GET", "/")),
    ParserVector(
        "HTTP/1.0 without Host", "GET /healthz HTTP/1.0\r\n\r\n",
        .req("GET", "/healthz", .http1_0, [:])),
    ParserVector(
        "HTTP/1.0 with Host and keep-alive", "GET / HTTP/1.0\r\nHost: a\r\nConnection: keep-alive\r\n\r\n",
        .req("GET", "/", .http1_0, ["Host": "a", "Connection": "keep-alive"])),
    ParserVector(
        "a POST with a Content-Length body", "POST /v1/watches HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\nhello",
        .req("POST", "/v1/watches", ["Host": "example.com", "Content-Length": "5"], body: "hello")),
    ParserVector(
        "Content-Length zero", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 0\r\n\r\n",
        .req("POST", "/", ["Host": "example.com", "Content-Length": "0"])),
    ParserVector(
        "Content-Length with leading zeros", "PUT /x HTTP/1.1\r\nHost: example.com\r\nContent-Length: 003\r\n\r\nabc",
        .req("PUT", "/x", ["Host": "example.com", "Content-Length": "003"], body: "abc")),
    ParserVector(
        "a chunked body of two chunks",
        "POST /h HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n",
        .req("POST", "/h", ["Host": "example.com", "Transfer-Encoding": "chunked"], body: "hello world")),
    ParserVector(
        "a chunked body with trailers, which are validated and dropped",
        "POST /h HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\nX-Checksum: 42\r\nX-Other: y\r\n\r\n",
        .req("POST", "/h", ["Host": "example.com", "Transfer-Encoding": "chunked"], body: "abc")),
    ParserVector(
        "a chunk extension",
        "POST /h HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n3;name=value\r\nabc\r\n0;last\r\n\r\n",
        .req("POST", "/h", ["Host": "example.com", "Transfer-Encoding": "chunked"], body: "abc")),
    ParserVector(
        "hex chunk sizes in either case and 16 digits",
        "POST /h HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n000000000000000B\r\nabcdefghijk\r\n0\r\n\r\n",
        .req("POST", "/h", ["Host": "example.com", "Transfer-Encoding": "chunked"], body: "0123456789abcdefghijk")),
    ParserVector(
        "Transfer-Encoding compared without case",
        "POST /h HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: Chunked\r\n\r\n1\r\nz\r\n0\r\n\r\n",
        .req("POST", "/h", ["Host": "example.com", "Transfer-Encoding": "Chunked"], body: "z")),
    ParserVector(
        "Expect: 100-continue with a Content-Length body announces continue before the request",
        "POST /u HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok",
        .expectContinue,
        .req("POST", "/u", ["Host": "example.com", "Expect": "100-continue", "Content-Length": "2"], body: "ok")),
    ParserVector(
        "Expect: 100-continue with a chunked body",
        "POST /u HTTP/1.1\r\nHost: example.com\r\nExpect: 100-Continue\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n",
        .expectContinue,
        .req("POST", "/u", ["Host": "example.com", "Expect": "100-Continue", "Transfer-Encoding": "chunked"], body: "ok")),
    ParserVector(
        "Expect: 100-continue without a body needs no continue",
        "POST /u HTTP/1.1\r\nHost: example.com\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n",
        .req("POST", "/u", ["Host": "example.com", "Expect": "100-continue", "Content-Length": "0"])),
    ParserVector(
        "Expect: 100-continue is ignored on HTTP/1.0",
        "POST /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 1\r\n\r\nx",
        .req("POST", "/u", .http1_0, ["Expect": "100-continue", "Content-Length": "1"], body: "x")),
    ParserVector(
        "three pipelined requests, the last with Connection: close",
        "GET /a HTTP/1.1\r\nHost: example.com\r\n\r\nPOST /b HTTP/1.1\r\nHost: example.com\r\nContent-Length: 3\r\n\r\nxyzGET /c HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n",
        .req("GET", "/a"),
        .req("POST", "/b", ["Host": "example.com", "Content-Length": "3"], body: "xyz"),
        .req("GET", "/c", ["Host": "example.com", "Connection": "close"])),
    ParserVector(
        "pipelined chunked then plain requests",
        "POST /a HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nq\r\n0\r\n\r\nGET /b HTTP/1.1\r\nHost: example.com\r\n\r\n",
        .req("POST", "/a", ["Host": "example.com", "Transfer-Encoding": "chunked"], body: "q"),
        .req("GET", "/b")),
    ParserVector(
        "empty lines before a request line are skipped", "\r\n\r\nGET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        .req("GET", "/")),
    ParserVector(
        "eight empty lines before a request line are still skipped",
        String(repeating: "\r\n", count: 8) + "GET / HTTP/1.1\r\nHost: example.com\r\n\r\n",
        .req("GET", "/")),
    ParserVector("OPTIONS with the asterisk form", "OPTIONS * HTTP/1.1\r\nHost: example.com\r\n\r\n", .req("OPTIONS", "*")),
    ParserVector(
        "optional whitespace around values is trimmed", "GET / HTTP/1.1\r\nHost:example.com\r\nX-A: \t spaced out \t \r\n\r\n",
        .req("GET", "/", ["Host": "example.com", "X-A": "spaced out"])),
    ParserVector(
        "an empty field value", "GET / HTTP/1.1\r\nHost: example.com\r\nX-Empty:\r\nX-Blank:   \r\n\r\n",
        .req("GET", "/", ["Host": "example.com", "X-Empty": "", "X-Blank": ""])),
    ParserVector(
        "inner tabs and UTF-8 in a value", "GET / HTTP/1.1\r\nHost: example.com\r\nX-Name: caf\u{e9}\tau lait\r\n\r\n",
        .req("GET", "/", ["Host": "example.com", "X-Name": "caf\u{e9}\tau lait"])),
    ParserVector(
        "a target with a query and percent-escapes",
        "GET /v1/scans/binarly%3Aabc?limit=5&q=a%2Fb HTTP/1.1\r\nHost: example.com\r\n\r\n",
        .req("GET", "/v1/scans/binarly%3Aabc?limit=5&q=a%2Fb")),
    ParserVector(
        "a method the server may not implement is still a token", "PURGE /x HTTP/1.1\r\nHost: example.com\r\n\r\n",
        .req("PURGE", "/x")),
    ParserVector(
        "repeated fields keep their order and case",
        "GET / HTTP/1.1\r\nhost: example.com\r\nAccept: a\r\nX-Y: 1\r\naccept: b\r\n\r\n",
        .req("GET", "/", ["host": "example.com", "Accept": "a", "X-Y": "1", "accept": "b"])),
    ParserVector(
        "Host with a port", "DELETE /v1/watches/w1 HTTP/1.1\r\nHost: 127.0.0.1:8080\r\n\r\n",
        .req("DELETE", "/v1/watches/w1", ["Host": "127.0.0.1:8080"])),
    ParserVector(
        "Connection: upgrade to websocket does not pause",
        "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET /n HTTP/1.1\r\nHost: example.com\r\n\r\n",
        .req("GET", "/", ["Host": "example.com", "Connection": "Upgrade", "Upgrade": "websocket"]),
        .req("GET", "/n")),
    ParserVector(
        "an h2c upgrade pauses and keeps the bytes that follow",
        "GET / HTTP/1.1\r\nHost: example.com\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAAP__\r\n\r\nPRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        buffered: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
        .req("GET", "/", [
            "Host": "example.com", "Connection": "Upgrade, HTTP2-Settings", "Upgrade": "h2c",
            "HTTP2-Settings": "AAMAAABkAAQAAP__",
        ])),
    ParserVector(
        "an h2c upgrade request with a body pauses after the body",
        "POST /p HTTP/1.1\r\nHost: example.com\r\nContent-Length: 2\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nhi\u{0}\u{1}",
        buffered: "\u{0}\u{1}",
        .req("POST", "/p", ["Host": "example.com", "Content-Length": "2", "Connection": "upgrade", "Upgrade": "h2c"], body: "hi")),
    ParserVector(
        "an h2c upgrade is not honoured on HTTP/1.0",
        "GET / HTTP/1.0\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nGET / HTTP/1.0\r\n\r\n",
        .req("GET", "/", .http1_0, ["Connection": "upgrade", "Upgrade": "h2c"]),
        .req("GET", "/", .http1_0, [:])),
    ParserVector(
        "control field names are matched without case",
        "POST / HTTP/1.1\r\nHOST: example.com\r\ncontent-LENGTH: 2\r\nEXPECT: 100-CONTINUE\r\n\r\nab",
        .expectContinue,
        .req("POST", "/", ["HOST": "example.com", "content-LENGTH": "2", "EXPECT": "100-CONTINUE"], body: "ab")),
    ParserVector(
        "an h2c upgrade token among others in both lists",
        "GET / HTTP/1.1\r\nHost: example.com\r\nconnection: keep-alive , UPGRADE\r\nupgrade: websocket,H2C\r\n\r\nrest",
        buffered: "rest",
        .req("GET", "/", ["Host": "example.com", "connection": "keep-alive , UPGRADE", "upgrade": "websocket,H2C"])),
    ParserVector(
        "a body may hold CR, LF and NUL bytes", "POST / HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\n\r\n\u{0}\n\r",
        .req("POST", "/", ["Host": "example.com", "Content-Length": "5"], body: "\r\n\u{0}\n\r")),
]

@Suite struct HTTP1ParserAcceptTests {
    @Test(arguments: acceptVectors)
    func request_isParsedExactly_underEverySplit(_ vector: ParserVector) {
        ParserHarness.check(vector)
    }

    @Test func phase_followsTheRequest_fromIdleThroughHeadAndBodyBackToIdle() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        var phases: [HTTP1Parser.Phase] = [parser.phase]
        var requests = 0
        for piece in ["P", "OST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\n", "x", "y"] {
            Array(piece.utf8).withUnsafeBytes { parser.consume($0) { if case .request = $0 { requests += 1 } } }
            phases.append(parser.phase)
        }
        #expect(phases == [.idle, .head, .body, .body, .idle])
        #expect(requests == 1)
    }

    @Test func emptyLinesBeforeARequest_countAsHead_notIdle() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        Array("\r\n".utf8).withUnsafeBytes { parser.consume($0) { _ in Issue.record("nothing to emit yet") } }
        #expect(parser.phase == .head)
    }

    @Test func pausedParser_keepsCollectingBytes_untilTheyAreTaken() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        var events: [ParseEvent] = []
        let upgrade = "GET / HTTP/1.1\r\nHost: a\r\nConnection: upgrade\r\nUpgrade: h2c\r\n\r\nAB"
        Array(upgrade.utf8).withUnsafeBytes { parser.consume($0) { events.append(ParseEvent($0)) } }
        Array("GET / HTTP/1.1\r\n\r\n".utf8).withUnsafeBytes { parser.consume($0) { events.append(ParseEvent($0)) } }
        #expect(events.count == 1)
        #expect(parser.isPaused)
        #expect(parser.takeBufferedBytes() == Array("ABGET / HTTP/1.1\r\n\r\n".utf8))
        #expect(parser.takeBufferedBytes() == [])
    }
}
