import HTTPCore
@testable import HTTPServer
import Testing

@Suite struct HTTP1ResponseEncoderTests {
    let date = Array("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n".utf8)

    func head(
        _ status: HTTPStatus = .ok, _ headers: HTTPHeaders = [:], framing: HTTP1ResponseEncoder.Framing,
        connection: HTTP1ResponseEncoder.ConnectionField = .persistentByDefault
    ) -> String {
        var out: [UInt8] = []
        HTTP1ResponseEncoder.appendHead(status: status, headers: headers, framing: framing, connection: connection, dateFieldLine: date, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    @Test func aHeadHasStatusLine_Server_Date_Fields_AndContentLength() {
        #expect(head(.ok, ["Content-Type": "text/plain"], framing: .contentLength(1234)) ==
            "HTTP/1.1 200 OK\r\nServer: scanrelay\r\nDate: Sun, 06 Nov 1994 08:49:37 GMT\r\nContent-Type: text/plain\r\nContent-Length: 1234\r\n\r\n")
    }

    @Test func aStreamedHead_SaysChunked_AndCloseWhenAsked() {
        #expect(head(.ok, framing: .chunked, connection: .close).hasSuffix("Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"))
    }

    @Test func anHTTP10KeepAliveAnswer_SaysKeepAlive() {
        #expect(head(.noContent, framing: .none, connection: .keepAlive).hasSuffix("Date: Sun, 06 Nov 1994 08:49:37 GMT\r\nConnection: keep-alive\r\n\r\n"))
    }

    @Test func framingAndConnectionFieldsFromAHandler_AreDropped() {
        let text = head(.ok, ["Content-Length": "5", "Transfer-Encoding": "gzip", "connection": "upgrade", "X-A": "b"], framing: .contentLength(0))
        #expect(text.contains("X-A: b\r\n"))
        #expect(!text.contains("Content-Length: 5"))
        #expect(!text.contains("gzip"))
        #expect(!text.contains("upgrade"))
    }

    @Test func fieldNamesCompareIgnoringASCIICaseOnly() {
        #expect(HTTP1ResponseEncoder.fieldName("Content-LENGTH", is: "content-length"))
        #expect(!HTTP1ResponseEncoder.fieldName("Content-Lengths", is: "content-length"))
        #expect(!HTTP1ResponseEncoder.fieldName("Content\rLength", is: "content-length"))
    }

    @Test func aHandlersConnectionClose_IsFoundInAList() {
        #expect(HTTP1ResponseEncoder.asksToClose(["Connection": "keep-alive, CLOSE"]))
        #expect(!HTTP1ResponseEncoder.asksToClose(["Connection": "keep-alive", "X-Close": "close"]))
    }

    @Test func crOrLfInAValue_CannotSplitTheHead() {
        let text = head(.ok, ["X-Evil": "a\r\nSet-Cookie: x"], framing: .contentLength(0))
        #expect(text.contains("X-Evil: a  Set-Cookie: x\r\n"))
    }

    @Test func aChunkIsItsHexSize_CRLF_Bytes_CRLF() {
        var out: [UInt8] = []
        HTTP1ResponseEncoder.appendChunk(Array(repeating: 0x61, count: 26), to: &out)
        #expect(String(decoding: out, as: UTF8.self) == "1a\r\n" + String(repeating: "a", count: 26) + "\r\n")
    }

    @Test func theDateFieldLine_IsIMFFixdate() {
        #expect(String(decoding: HTTPDateCache.fieldLine(for: 784_111_777), as: UTF8.self) == "Date: Sun, 06 Nov 1994 08:49:37 GMT\r\n")
    }
}

@Suite struct HTTP2PrefaceSnifferTests {
    func verdicts(_ pieces: [String]) -> [HTTP2PrefaceSniffer.Verdict] {
        var sniffer = HTTP2PrefaceSniffer()
        return pieces.map { piece in Array(piece.utf8).withUnsafeBytes { sniffer.inspect($0) } }
    }

    @Test func anHTTP1RequestIsKnownByItsFirstByte() {
        #expect(verdicts(["GET / HTTP/1.1\r\n"]) == [.http1])
    }

    @Test func thePrefaceIsRecognised_WholeOrSplit() {
        #expect(verdicts(["PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\0\0"]) == [.http2])
        #expect(verdicts(["PRI * HT", "TP/2.0\r\n\r\nSM", "\r\n\r\n"]) == [.needMoreBytes, .needMoreBytes, .http2])
    }

    @Test func aPrefixThatDiverges_IsHTTP1() {
        #expect(verdicts(["PRI", " * HTTP/1.1\r\n"]) == [.needMoreBytes, .http1])
    }

    /// Past `PRI * HTTP/2.0\r\n` only an HTTP/2 client with a broken preface can be talking: HTTP/2 answers it
    /// (GOAWAY, PROTOCOL_ERROR), not HTTP/1.1.
    @Test func aPrefaceThatBreaksAfterItsRequestLine_IsHTTP2() {
        #expect(verdicts(["PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n"]) == [.http2])
        #expect(verdicts(["PRI * HTTP/2.0\r\n", "Host: x\r\n"]) == [.needMoreBytes, .http2])
        #expect(verdicts(["PRI * HTTP/2.0\r", "X"]) == [.needMoreBytes, .http1])
    }
}
