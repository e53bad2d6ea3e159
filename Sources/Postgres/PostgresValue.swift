import Foundation

/// One query parameter in PostgreSQL's text format: what `PQexecParams` receives for a `$n` (nil: SQL NULL, given as
/// `PostgresValue?`). The server casts the text to the parameter's inferred type, so the SQL says `$1::float8` where
/// the type is not obvious from the context.
public struct PostgresValue: Sendable, Hashable, CustomStringConvertible {
    /// The text PostgreSQL parses. Never contains NUL (libpq passes C strings); the initializers guarantee it.
    public let text: String

    public var description: String { text }

    /// Text as is. PostgreSQL text cannot hold NUL: those characters are refused by the server's encoding check
    /// anyway, so they are cut here rather than sent.
    public init(_ text: String) {
        self.text = text.utf8.contains(0) ? text.replacingOccurrences(of: "\0", with: "") : text
    }

    public init(_ value: Int) { text = String(value) }
    public init(_ value: Int64) { text = String(value) }
    public init(_ value: UInt64) { text = String(value) }
    public init(_ value: Bool) { text = value ? "t" : "f" }

    /// Shortest text that reads back as the same `Double` (PostgreSQL's float8 input is exact).
    public init(_ value: Double) {
        if value.isNaN { text = "NaN" } else if value.isInfinite { text = value > 0 ? "Infinity" : "-Infinity" } else { text = "\(value)" }
    }

    /// `bytea` in hex form (`\x…`).
    public init(bytes: some Sequence<UInt8>) {
        var text = Array(#"\x"#.utf8)
        Self.appendHex(of: bytes, to: &text)
        self.text = String(decoding: text, as: UTF8.self)
    }

    /// A one-dimensional `bytea[]` literal: each element `"\\x…"` (hex form, its backslash escaped for the array
    /// syntax), so a batch of binary values travels in one parameter.
    public init(byteaArray elements: some Sequence<some Collection<UInt8>>) {
        var text: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in elements.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.append(contentsOf: #""\\x"#.utf8)
            text.reserveCapacity(text.count + 2 * element.count + 2)
            Self.appendHex(of: element, to: &text)
            text.append(UInt8(ascii: "\""))
        }
        text.append(UInt8(ascii: "}"))
        self.text = String(decoding: text, as: UTF8.self)
    }

    /// A one-dimensional `text[]` literal (`{"a","b"}`), each element quoted and escaped.
    public init(textArray elements: some Sequence<String>) {
        var text = "{"
        for (index, element) in elements.enumerated() {
            if index > 0 { text += "," }
            text += "\""
            for character in element where character != "\0" {
                if character == "\"" || character == "\\" { text += "\\" }
                text.append(character)
            }
            text += "\""
        }
        self.text = text + "}"
    }

    /// An `interval` of whole microseconds.
    public init(interval: Duration) {
        let (seconds, attoseconds) = interval.components
        text = "\(seconds * 1_000_000 + attoseconds / 1_000_000_000_000) microseconds"
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// Two lower-case hex digits per byte: bytea's hex form.
    private static func appendHex(of bytes: some Sequence<UInt8>, to text: inout [UInt8]) {
        for byte in bytes {
            text.append(hexDigits[Int(byte >> 4)])
            text.append(hexDigits[Int(byte & 0xF)])
        }
    }
}

extension PostgresValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral {
    public init(stringLiteral value: String) { self.init(value) }
    public init(integerLiteral value: Int) { self.init(value) }
}
