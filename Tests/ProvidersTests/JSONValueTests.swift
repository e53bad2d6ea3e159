import Foundation
@testable import Providers
import Testing

@Suite struct JSONValueTests {
    @Test func parse_ReadsEveryKind_AndRefusesNonJSON() {
        #expect(JSONValue.parse(Array(#"{"a": [1, "x", true, null, {"b": 2.5}]}"#.utf8))
            == .object(["a": .array([.number(1), .string("x"), .bool(true), .null, .object(["b": .number(2.5)])])]))
        for garbage in ["", "{", "nan", "{\"a\":}", "\u{FF}", "[1 2]", "'a'", "[1,]", "{\"a\": 1 ,\n}", "\u{FEFF}[1]"] {
            #expect(JSONValue.parse(Array(garbage.utf8)) == nil, "\(garbage)")
        }
    }

    @Test func deepNesting_IsRefused() {
        let nested = { (depth: Int) in Array((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8) }
        #expect(JSONValue.parse(nested(32)) != nil)
        #expect(JSONValue.parse(nested(33)) == nil)
        #expect(JSONValue.parse(nested(100_000)) == nil)
    }

    @Test(arguments: [(JSONValue.number(3), 3), (.string("42"), 42), (.string("0"), 0), (.string("999999999999"), 999_999_999_999)]
          as [(JSONValue, Int?)])
    func counts_AreNumbersOrDigitStrings(value: JSONValue, count: Int?) {
        #expect(value.count == count)
    }

    @Test(arguments: [JSONValue.number(-1), .number(1.5), .number(1e300), .string(""), .string("-1"), .string("1e3"),
                      .string(" 1"), .string("1000000000000"), .number(1e12), .bool(true), .null])
    func otherValues_AreNotCounts(value: JSONValue) {
        #expect(value.count == nil)
    }

    @Test func serialized_RoundTrips() {
        let value = JSONValue.object(["url": .string("https://x/y"), "n": .number(2), "l": .array([.bool(false)])])
        #expect(JSONValue.parse(value.serialized) == value)
        #expect(String(decoding: value.serialized, as: UTF8.self) == #"{"l":[false],"n":2,"url":"https://x/y"}"#)
    }
}
