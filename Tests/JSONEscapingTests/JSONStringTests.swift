import Foundation
import JSONEscaping
import Testing

@Suite struct JSONStringTests {
    private func written(_ value: String) -> String {
        var bytes: [UInt8] = []
        JSONString.append(value, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    private func writtenForALogLine(_ value: String) -> String {
        var bytes: [UInt8] = []
        JSONString.append(value, to: &bytes, alsoEscaping: Self.lineUnsafe)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// What the JSON log passes (`UntrustedText.mustEscape`, which this module cannot see), plus one scalar beyond
    /// U+FFFF so the surrogate pair is exercised.
    private static func lineUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x202E, 0x1F680: true
        default: false
        }
    }

    /// The string a JSON parser reads back from `json`.
    private func parsed(_ json: String) throws -> String {
        let array = try JSONSerialization.jsonObject(with: Data("[\(json)]".utf8)) as? [Any]
        return try #require(array?.first as? String, "\(json)")
    }

    @Test(arguments: [
        ("", #""""#),
        ("plain", #""plain""#),
        (#"say "hi""#, #""say \"hi\"""#),
        (#"C:\path\"#, #""C:\\path\\""#),
        ("a\nb\rc\td", #""a\nb\rc\td""#),
        ("é-ü 🚀 \u{2028}\u{2029}\u{85}", "\"é-ü 🚀 \u{2028}\u{2029}\u{85}\""),
        ("del \u{7F}", "\"del \u{7F}\""),
    ])
    func writesRFC8259Strings(input: String, expected: String) throws {
        #expect(written(input) == expected)
        #expect(try parsed(written(input)) == input)
    }

    @Test func everyControlCharacterIsEscaped() throws {
        let named: [UInt32: String] = [0x0A: #"\n"#, 0x0D: #"\r"#, 0x09: #"\t"#]
        for value in UInt32(0)..<0x20 {
            let input = "<" + String(Unicode.Scalar(value)!) + ">"
            let escape = named[value] ?? "\\u00" + (value < 0x10 ? "0" : "") + String(value, radix: 16)
            #expect(written(input) == "\"<\(escape)>\"", "U+\(String(value, radix: 16))")
            #expect(try parsed(written(input)) == input)
        }
        let all = String(String.UnicodeScalarView((0..<0x20).map { Unicode.Scalar(UInt8($0)) }))
        #expect(try parsed(written(all)) == all)
    }

    @Test func aLongPlainStringIsCopiedAsItIs() throws {
        let input = String(repeating: "sha256:0123456789abcdef-é-", count: 2_000)
        #expect(written(input) == "\"\(input)\"")
        #expect(try parsed(written(input)) == input)
    }

    @Test func aLongStringWithOneEscapeAtTheEndKeepsEverythingBeforeIt() throws {
        let plain = String(repeating: "x", count: 10_000)
        #expect(written(plain + "\"") == "\"\(plain)\\\"\"")
        #expect(written(plain + "\u{1}") == "\"\(plain)\\u0001\"")
        #expect(try parsed(written(plain + "\"")) == plain + "\"")
        #expect(try parsed(written("\\" + plain + "\n" + plain + "\u{1F}")) == "\\" + plain + "\n" + plain + "\u{1F}")
    }

    @Test func forALogLineTheNamedScalarsAreEscapedToo() throws {
        #expect(writtenForALogLine("a\u{2028}b\u{85}c\u{7F}") == #""a\u2028b\u0085c\u007f""#)
        #expect(writtenForALogLine("\u{202E}txt") == #""\u202etxt""#)
        // The JSON escapes keep their short forms, and unnamed non-ASCII text is copied.
        #expect(writtenForALogLine("é\n\"\\\u{2028}") == #""é\n\"\\\u2028""#)
        // Beyond U+FFFF: a UTF-16 surrogate pair.
        #expect(writtenForALogLine("🚀") == #""\ud83d\ude80""#)
        // Text with nothing named is written exactly as without the option.
        #expect(writtenForALogLine("plain é \t") == written("plain é \t"))
        for input in ["a\u{2028}b\u{85}c\u{7F}", "\u{202E}txt", "é\n\"\\\u{2028}", "🚀 ok", "", "\u{0}\u{1F}\u{9F}"] {
            #expect(try parsed(writtenForALogLine(input)) == input)
            #expect(!writtenForALogLine(input).unicodeScalars.contains { Self.lineUnsafe($0) }, "\(input)")
        }
    }

    @Test func appendsAfterWhatIsAlreadyThere() {
        var bytes = Array(#"{"id":"#.utf8)
        JSONString.append("a\"b", to: &bytes)
        bytes.append(UInt8(ascii: "}"))
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"id":"a\"b"}"#)
    }
}
