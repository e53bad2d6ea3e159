/// One query parameter, as libpq sends it (nil: SQL NULL, given as `PostgresValue?`): text that the server casts to
/// the parameter's inferred type (so the SQL says `$1::float8` where the type is not obvious from the context), or a
/// `bytea`'s bytes as they are, in binary format (the SQL casts that parameter `::bytea`). Binary saves hex-encoding
/// every document on the way in and decoding it in the server, and half the bytes on the wire.
public struct PostgresValue: Sendable, Hashable, CustomStringConvertible {
    /// Text in UTF-8 (never containing NUL: libpq reads text parameters as C strings; the initializers guarantee
    /// it), or the bytes of a binary value.
    public let bytes: [UInt8]
    /// Sent in binary format (`bytea`); otherwise text.
    public let isBinary: Bool

    /// The text, or a binary value's bytes in bytea's hex form (`\x…`).
    public var text: String {
        guard isBinary else { return String(decoding: bytes, as: UTF8.self) }
        var hex = Array(#"\x"#.utf8)
        Self.appendHex(of: bytes, to: &hex)
        return String(decoding: hex, as: UTF8.self)
    }

    public var description: String { text }

    private init(text bytes: [UInt8]) {
        self.bytes = bytes
        isBinary = false
    }

    /// Text as is. PostgreSQL text cannot hold NUL: those characters are refused by the server's encoding check
    /// anyway, so they are cut here rather than sent.
    public init(_ text: String) {
        let utf8 = Array(text.utf8)
        self.init(text: utf8.contains(0) ? utf8.filter { $0 != 0 } : utf8)
    }

    public init(_ value: Int) { self.init(text: Array(String(value).utf8)) }
    public init(_ value: Int64) { self.init(text: Array(String(value).utf8)) }
    public init(_ value: UInt64) { self.init(text: Array(String(value).utf8)) }
    public init(_ value: Bool) { self.init(text: [value ? UInt8(ascii: "t") : UInt8(ascii: "f")]) }

    /// Shortest text that reads back as the same `Double` (PostgreSQL's float8 input is exact).
    public init(_ value: Double) {
        let text = value.isNaN ? "NaN" : value.isInfinite ? (value > 0 ? "Infinity" : "-Infinity") : "\(value)"
        self.init(text: Array(text.utf8))
    }

    /// A `bytea`, sent in binary format: the parameter must be typed `bytea` in the SQL (`$n::bytea`).
    public init(bytes: some Sequence<UInt8>) {
        self.bytes = Array(bytes)
        isBinary = true
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
        self.init(text: text)
    }

    /// A one-dimensional `text[]` literal (`{"a","b"}`), each element quoted and escaped.
    public init(textArray elements: some Sequence<String>) {
        var text: [UInt8] = [UInt8(ascii: "{")]
        for (index, element) in elements.enumerated() {
            if index > 0 { text.append(UInt8(ascii: ",")) }
            text.append(UInt8(ascii: "\""))
            for byte in element.utf8 where byte != 0 {
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") { text.append(UInt8(ascii: "\\")) }
                text.append(byte)
            }
            text.append(UInt8(ascii: "\""))
        }
        text.append(UInt8(ascii: "}"))
        self.init(text: text)
    }

    /// An `interval` of whole microseconds.
    public init(interval: Duration) {
        let (seconds, attoseconds) = interval.components
        self.init(text: Array("\(seconds * 1_000_000 + attoseconds / 1_000_000_000_000) microseconds".utf8))
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
