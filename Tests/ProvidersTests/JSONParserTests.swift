import Foundation
import Testing
@testable import Providers

@Suite struct JSONParserTests {
    private func parse(_ text: String) -> JSONValue? { JSONValue.parse(Array(text.utf8)) }

    @Test(arguments: [
        ("0", JSONValue.number(0)), ("-0.5e+2", .number(-50)), ("1E3", .number(1000)), ("123456789012", .number(123_456_789_012)),
        (" \t\r\n true ", .bool(true)), ("false", .bool(false)), ("null", .null), (#""""#, .string("")),
        (#""a\"b\\c\/d\b\f\n\r\t""#, .string("a\"b\\c/d\u{8}\u{C}\n\r\t")),
        (#""\u00e9\u20AC\ud83d\ude00""#, .string("é€😀")), (#""é€😀""#, .string("é€😀")),
        (#"{"a": {"b": [1, {}]}, "a2": []}"#, .object(["a": .object(["b": .array([.number(1), .object([:])])]), "a2": .array([])])),
        (#"{"k": 1, "k": 2}"#, .object(["k": .number(2)])),
    ])
    func strictJSON_Parses(text: String, value: JSONValue) {
        #expect(parse(text) == value)
    }

    @Test(arguments: [
        "", " ", "[1,]", #"{"a": 1,}"#, "\u{FEFF}[1]", "[1] x", "[1]]", "{", "[", #"{"a" 1}"#, #"{a: 1}"#, "{1: 2}",
        "01", "-", "1.", ".5", "+1", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "1e400", "tru", "nul", "True",
        #""abc"#, "\"a\u{1}b\"", "\"tab\there\"", #""\x41""#, #""\u12""#, #""\u12G4""#, #""\ud800""#, #""\udc00""#,
        #""\ud800\u0041""#, "'a'", "// c\n1", "[1 2]", #"{"a":1 "b":2}"#,
    ])
    func anythingElse_IsRefused(text: String) {
        #expect(parse(text) == nil, "\(text.debugDescription)")
    }

    @Test func invalidUTF8_IsRefused_InsideOrOutsideEscapes() {
        #expect(JSONValue.parse([0x22, 0xFF, 0x22]) == nil)
        #expect(JSONValue.parse([0x22, 0x5C, 0x6E, 0xC3, 0x22]) == nil)
        #expect(JSONValue.parse([0x22, 0xC3, 0xA9, 0x22]) == .string("é"))
    }

    @Test func everyFixture_ParsesAsFoundationReadsIt() throws {
        #expect(Fixture.names.count >= 19)
        for name in Fixture.names {
            let bytes = Fixture.bytes(name)
            let value = try #require(JSONValue.parse(bytes), "\(name)")
            let foundation = try JSONSerialization.jsonObject(with: Data(bytes))
            let reencoded = try JSONSerialization.data(withJSONObject: foundation, options: [.sortedKeys, .withoutEscapingSlashes])
            #expect(JSONValue.parse(Array(reencoded)) == value, "\(name)")
        }
    }
}
