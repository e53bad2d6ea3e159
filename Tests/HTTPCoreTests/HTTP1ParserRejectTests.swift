import Testing
@testable import HTTPCore

private let host = "Host: example.com\r\n"
private let chunkedHead = "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked\r\n\r\n"

/// Requests the parser must refuse, each with its exact status. Every vector ends at the offending byte or line, so
/// a failure proves the refusal came without waiting for more input.
let rejectVectors: [ParserVector] = [
    // Request line.
    ParserVector("a request line without a version", "GET /\r\n", .failure(400)),
    ParserVector("two spaces between method and target", "GET  / HTTP/1.1\r\n", .failure(400)),
    ParserVector("a trailing space after the version", "GET / HTTP/1.1 \r\n", .failure(400)),
    ParserVector("a tab instead of a space", "GET\t/ HTTP/1.1\r\n", .failure(400)),
    ParserVector("a lower-case protocol name", "GET / http/1.1\r\n", .failure(400)),
    ParserVector("a two-digit minor version", "GET / HTTP/1.10\r\n", .failure(400)),
    ParserVector("HTTP/2.0 in a request line", "GET / HTTP/2.0\r\n", .failure(505)),
    ParserVector("HTTP/1.2", "GET / HTTP/1.2\r\n", .failure(505)),
    ParserVector("HTTP/0.9", "GET / HTTP/0.9\r\n", .failure(505)),
    ParserVector("the HTTP/2 preface", "PRI * HTTP/2.0\r\n", .failure(505)),
    ParserVector("a method that is not a token", "GE(T / HTTP/1.1\r\n", .failure(400)),
    ParserVector("an empty method", " / HTTP/1.1\r\n", .failure(400)),
    ParserVector("an absolute-form target", "GET http://example.com/ HTTP/1.1\r\n", .failure(400)),
    ParserVector("an authority-form target", "CONNECT example.com:443 HTTP/1.1\r\n", .failure(400)),
    ParserVector("the asterisk form with GET", "GET * HTTP/1.1\r\n", .failure(400)),
    ParserVector("a fragment in the target", "GET /a#b HTTP/1.1\r\n", .failure(400)),
    ParserVector("a control character in the target", "GET /a\u{1}b HTTP/1.1\r\n", .failure(400)),
    ParserVector("a raw non-ASCII byte in the target", "GET /caf\u{e9} HTTP/1.1\r\n", .failure(400)),
    ParserVector("a NUL in the request line", "GET /\u{0} HTTP/1.1\r\n", .failure(400)),
    // Line endings.
    ParserVector("a bare LF ending the request line", "GET / HTTP/1.1\n", .failure(400)),
    ParserVector("a bare LF ending a field line", "GET / HTTP/1.1\r\nHost: a\n", .failure(400)),
    ParserVector("a bare LF ending the head", "GET / HTTP/1.1\r\nHost: a\r\n\n", .failure(400)),
    ParserVector("a bare CR inside a field value", "GET / HTTP/1.1\r\nX: a\rb", .failure(400)),
    ParserVector("a bare CR inside the request line", "GET /\r / HTTP/1.1", .failure(400)),
    ParserVector("a bare LF before the request line", "\nGET / HTTP/1.1\r\n", .failure(400)),
    ParserVector(
        "nine empty lines before a request line", String(repeating: "\r\n", count: 9), .failure(400)),
    // Field lines.
    ParserVector("obs-fold", "GET / HTTP/1.1\r\n\(host)X-A: b\r\n c\r\n", .failure(400)),
    ParserVector("obs-fold with a tab", "GET / HTTP/1.1\r\n\(host)X-A: b\r\n\tc\r\n", .failure(400)),
    ParserVector("a first field line starting with a space", "GET / HTTP/1.1\r\n Host: a\r\n", .failure(400)),
    ParserVector("whitespace between field name and colon", "GET / HTTP/1.1\r\nHost : a\r\n", .failure(400)),
    ParserVector("a tab between field name and colon", "GET / HTTP/1.1\r\nHost\t: a\r\n", .failure(400)),
    ParserVector("a field name that is not a token", "GET / HTTP/1.1\r\nX@Y: a\r\n", .failure(400)),
    ParserVector("an empty field name", "GET / HTTP/1.1\r\n: a\r\n", .failure(400)),
    ParserVector("a field line without a colon", "GET / HTTP/1.1\r\nHost\r\n", .failure(400)),
    ParserVector("a NUL in a field value", "GET / HTTP/1.1\r\nX: a\u{0}b\r\n", .failure(400)),
    ParserVector("a control character in a field value", "GET / HTTP/1.1\r\nX: a\u{1b}b\r\n", .failure(400)),
    ParserVector("DEL in a field value", "GET / HTTP/1.1\r\nX: a\u{7f}\r\n", .failure(400)),
    // Host.
    ParserVector("HTTP/1.1 without Host", "GET / HTTP/1.1\r\nAccept: */*\r\n\r\n", .failure(400)),
    ParserVector("two Host fields", "GET / HTTP/1.1\r\nHost: a\r\nhost: a\r\n\r\n", .failure(400)),
    ParserVector("two Host fields on HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", .failure(400)),
    // Body framing (request smuggling).
    ParserVector(
        "both Content-Length and Transfer-Encoding",
        "POST / HTTP/1.1\r\n\(host)Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", .failure(400)),
    ParserVector(
        "Content-Length and Transfer-Encoding in other cases",
        "POST / HTTP/1.1\r\n\(host)content-length: 3\r\nTRANSFER-ENCODING: chunked\r\n\r\n", .failure(400)),
    ParserVector(
        "two equal Content-Length fields", "POST / HTTP/1.1\r\n\(host)Content-Length: 3\r\nContent-Length: 3\r\n\r\n",
        .failure(400)),
    ParserVector("a Content-Length list", "POST / HTTP/1.1\r\n\(host)Content-Length: 3, 3\r\n\r\n", .failure(400)),
    ParserVector("a Content-Length with a sign", "POST / HTTP/1.1\r\n\(host)Content-Length: +3\r\n\r\n", .failure(400)),
    ParserVector("a negative Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: -1\r\n\r\n", .failure(400)),
    ParserVector("an empty Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: \r\n\r\n", .failure(400)),
    ParserVector("a hex Content-Length", "POST / HTTP/1.1\r\n\(host)Content-Length: 0x10\r\n\r\n", .failure(400)),
    ParserVector("a Content-Length with inner space", "POST / HTTP/1.1\r\n\(host)Content-Length: 1 0\r\n\r\n", .failure(400)),
    ParserVector(
        "a Content-Length that overflows", "POST / HTTP/1.1\r\n\(host)Content-Length: 99999999999999999999\r\n\r\n",
        .failure(400)),
    ParserVector(
        "a coding before chunked is not implemented",
        "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip, chunked\r\n\r\n", .failure(501)),
    ParserVector(
        "a coding before chunked in a separate field line is not implemented",
        "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n", .failure(501)),
    ParserVector(
        "chunked that is not the last coding", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, gzip\r\n\r\n",
        .failure(400)),
    ParserVector("a coding other than chunked alone", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: gzip\r\n\r\n", .failure(400)),
    ParserVector(
        "chunked twice", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked, chunked\r\n\r\n", .failure(400)),
    ParserVector(
        "an empty Transfer-Encoding list element", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: ,chunked\r\n\r\n",
        .failure(400)),
    ParserVector(
        "a Transfer-Encoding with parameters", "POST / HTTP/1.1\r\n\(host)Transfer-Encoding: chunked;q=1\r\n\r\n",
        .failure(400)),
    ParserVector(
        "Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", .failure(400)),
    // Chunked bodies.
    ParserVector("a chunk size with a sign", chunkedHead + "+5\r\n", .failure(400)),
    ParserVector("a negative chunk size", chunkedHead + "-1\r\n", .failure(400)),
    ParserVector("a space before a chunk size", chunkedHead + " 5\r\n", .failure(400)),
    ParserVector("a space after a chunk size", chunkedHead + "5 \r\n", .failure(400)),
    ParserVector("an empty chunk size", chunkedHead + "\r\n", .failure(400)),
    ParserVector("a chunk size that is not hex", chunkedHead + "g\r\n", .failure(400)),
    ParserVector("a chunk size with 17 hex digits", chunkedHead + "00000000000000001\r\n", .failure(400)),
    ParserVector("a 0x prefix on a chunk size", chunkedHead + "0x5\r\n", .failure(400)),
    ParserVector("chunk data without its CRLF", chunkedHead + "3\r\nabcX", .failure(400)),
    ParserVector("chunk data followed by a bare LF", chunkedHead + "3\r\nabc\n", .failure(400)),
    ParserVector("chunk data longer than its size", chunkedHead + "3\r\nabcd\r\n", .failure(400)),
    ParserVector("an empty chunk extension", chunkedHead + "3;\r\n", .failure(400)),
    ParserVector("a control character in a chunk extension", chunkedHead + "3;a\u{1}\r\n", .failure(400)),
    ParserVector("a bare LF after a chunk size", chunkedHead + "3\n", .failure(400)),
    ParserVector(
        "a chunk size line longer than 1024 bytes",
        chunkedHead + "3;" + String(repeating: "x", count: 1023), .failure(400)),
    ParserVector("obs-fold in a trailer", chunkedHead + "0\r\nX: a\r\n b\r\n", .failure(400)),
    ParserVector("a trailer without a colon", chunkedHead + "0\r\nX\r\n", .failure(400)),
    ParserVector("a NUL in a trailer value", chunkedHead + "0\r\nX: \u{0}\r\n", .failure(400)),
]

@Suite struct HTTP1ParserRejectTests {
    @Test(arguments: rejectVectors)
    func request_isRefusedWithTheExactStatus_underEverySplit(_ vector: ParserVector) {
        ParserHarness.check(vector)
    }

    @Test func failedParser_emitsNothingMore() {
        var parser = HTTP1Parser(limits: HTTPLimits())
        var events: [ParseEvent] = []
        for piece in ["GET / HTTP/1.1\n", "GET / HTTP/1.1\r\nHost: a\r\n\r\n"] {
            Array(piece.utf8).withUnsafeBytes { parser.consume($0) { events.append(ParseEvent($0)) } }
        }
        #expect(events == [.failure(400)])
    }

    @Test func aRequestBeforeAnError_isStillDelivered() {
        let bytes = Array("GET /ok HTTP/1.1\r\nHost: example.com\r\n\r\nGET /bad HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n".utf8)
        let run = ParserHarness.outcome(of: bytes, limits: HTTPLimits())
        #expect(run.events == [.req("GET", "/ok"), .failure(400)])
    }
}
