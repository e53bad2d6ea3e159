import ScanCore
import Testing

@Suite struct JSONWriterTests {
    private func written(_ body: (inout JSONWriter) -> Void) -> String {
        var writer = JSONWriter()
        body(&writer)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    @Test(arguments: [0, 7, 10, 99, 100, 1_000_000, -1, -10, -987_654_321, Int.max, Int.min])
    func integersAreWrittenAsSwiftPrintsThem(value: Int) {
        #expect(written { $0.appendInt(value) } == String(value))
    }

    @Test func unsignedAndNarrowIntegersAreWrittenAsSwiftPrintsThem() {
        #expect(written { $0.appendInt(UInt64.max) } == String(UInt64.max))
        #expect(written { $0.appendInt(Int8.min) } == "-128")
        #expect(written { $0.appendInt(UInt8(255)) } == "255")
    }

    @Test func stringsAreQuotedAndEscapedAndAbsentOnesAreNull() {
        #expect(written { $0.appendString("a\"b\\c\n\u{8}é") } == #""a\"b\\c\n\u0008é""#)
        #expect(written { $0.appendString(nil as String?) } == "null")
    }
}
