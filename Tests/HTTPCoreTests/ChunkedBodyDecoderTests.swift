import Testing
@testable import HTTPCore

@Suite struct ChunkedBodyDecoderTests {
    @Test(arguments: [
        ("0", 0), ("a", 10), ("A", 10), ("ff", 255), ("00000000000000FF", 255), ("FFFFFFFFFFFFFFFF", UInt64.max),
        ("5;name=value", 5), ("5;a", 5),
    ] as [(String, UInt64)])
    func chunkSize_readsHexDigitsAndSkipsExtensions(line: String, size: UInt64) throws {
        #expect(try ChunkedBodyDecoder.chunkSize(Array(line.utf8)) == size)
    }

    @Test(arguments: ["", "+5", "-5", " 5", "5 ", "0x5", "g", "00000000000000001", "5;", "5;\u{7f}", "5 ;a", ";a"])
    func chunkSize_refusesAnythingElse(line: String) {
        #expect(throws: HTTP1ParseError.self) { try ChunkedBodyDecoder.chunkSize(Array(line.utf8)) }
    }

    @Test func decoder_stopsJustPastTheBody_leavingTheNextRequestUnread() throws {
        var decoder = ChunkedBodyDecoder()
        var body: [UInt8] = []
        let bytes = Array("3\r\nabc\r\n0\r\n\r\nGET /next".utf8)
        var index = 0
        let complete = try bytes.withUnsafeBytes { try decoder.decode($0, &index, into: &body, limits: HTTPLimits()) }
        #expect(complete)
        #expect(body == Array("abc".utf8))
        #expect(Array(bytes[index...]) == Array("GET /next".utf8))
    }

    @Test func decoder_waitsForMore_whenTheInputEndsInsideAChunk() throws {
        var decoder = ChunkedBodyDecoder()
        var body: [UInt8] = []
        var index = 0
        let first = Array("5\r\nhel".utf8)
        #expect(try !first.withUnsafeBytes { try decoder.decode($0, &index, into: &body, limits: HTTPLimits()) })
        #expect(index == first.count)
        index = 0
        let rest = Array("lo\r\n0\r\n\r\n".utf8)
        #expect(try rest.withUnsafeBytes { try decoder.decode($0, &index, into: &body, limits: HTTPLimits()) })
        #expect(body == Array("hello".utf8))
    }
}
