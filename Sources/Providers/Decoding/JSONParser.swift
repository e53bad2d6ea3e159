/// A strict RFC 8259 JSON parser into a `JSONDocument` (and through it `JSONValue`), bounded in nesting depth.
///
/// Ours rather than Foundation's `JSONDecoder` for three reasons found by measuring and fuzzing: Foundation also
/// accepts a byte-order mark and trailing commas (bodies are kept and served verbatim as `raw`, so they must be
/// strict JSON), its time grows quadratically with nesting depth, and decoding a free-form value through `Codable`
/// costs a thrown error per type tried (about 150 µs for a 1 KB webhook; this parser takes a fraction of that).
struct JSONParser {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private let maximumDepth: Int
    private var entries: [JSONDocument.Entry] = []
    private var strings: [String] = []

    /// The document in `bytes`, or nil when it is not exactly one strict JSON value (whitespace around it allowed).
    static func parse(_ bytes: [UInt8], maximumDepth: Int) -> JSONDocument? {
        var parser = JSONParser(bytes: bytes, maximumDepth: maximumDepth)
        guard parser.value() else { return nil }
        parser.skipWhitespace()
        guard parser.index == bytes.count else { return nil }
        return JSONDocument(bytes: bytes, entries: parser.entries, strings: parser.strings)
    }

    private init(bytes: [UInt8], maximumDepth: Int) {
        self.bytes = bytes
        self.maximumDepth = maximumDepth
        // About one entry per eight bytes in webhook bodies; growing the list as it fills is what this saves.
        entries.reserveCapacity(min(bytes.count / 8 + 4, 4096))
    }

    private mutating func value() -> Bool {
        skipWhitespace()
        guard let byte = peek() else { return false }
        switch byte {
        case UInt8(ascii: "{"): return object()
        case UInt8(ascii: "["): return array()
        case UInt8(ascii: "\""): return string()
        case UInt8(ascii: "t"): return literal("true", .true)
        case UInt8(ascii: "f"): return literal("false", .false)
        case UInt8(ascii: "n"): return literal("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return number()
        default: return false
        }
    }

    /// `{`, then key and value entries in turn; the object's entry is completed once its end is known.
    private mutating func object() -> Bool {
        guard enter() else { return false }
        defer { depth -= 1 }
        index += 1
        let at = entries.count
        entries.append(JSONDocument.Entry(kind: .object))
        var members = 0
        skipWhitespace()
        if !take(UInt8(ascii: "}")) {
            repeat {
                skipWhitespace()
                guard peek() == UInt8(ascii: "\""), string() else { return false }
                skipWhitespace()
                guard take(UInt8(ascii: ":")), value() else { return false }
                members += 1
                skipWhitespace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return false }
        }
        entries[at].start = members
        entries[at].end = entries.count
        return true
    }

    private mutating func array() -> Bool {
        guard enter() else { return false }
        defer { depth -= 1 }
        index += 1
        let at = entries.count
        entries.append(JSONDocument.Entry(kind: .array))
        var items = 0
        skipWhitespace()
        if !take(UInt8(ascii: "]")) {
            repeat {
                guard value() else { return false }
                items += 1
                skipWhitespace()
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "]")) else { return false }
        }
        entries[at].start = items
        entries[at].end = entries.count
        return true
    }

    private mutating func enter() -> Bool {
        depth += 1
        return depth <= maximumDepth
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, finite as a Double.
    private mutating func number() -> Bool {
        let start = index
        _ = take(UInt8(ascii: "-"))
        if take(UInt8(ascii: "0")) {
            if let next = peek(), isDigit(next) { return false }
        } else if digits() == 0 {
            return false
        }
        let integerEnd = index
        if take(UInt8(ascii: ".")), digits() == 0 { return false }
        if take(UInt8(ascii: "e")) || take(UInt8(ascii: "E")) {
            if !take(UInt8(ascii: "+")) { _ = take(UInt8(ascii: "-")) }
            if digits() == 0 { return false }
        }
        // Whole numbers of up to 15 digits are exact in a Double, as `Double(String)` would give them: counts and
        // sizes, most numbers in webhook bodies, skip the string and `strtod`.
        let negative = bytes[start] == UInt8(ascii: "-")
        let firstDigit = negative ? start + 1 : start
        if integerEnd == index, index - firstDigit <= 15 {
            var whole = 0
            for byte in bytes[firstDigit..<index] { whole = whole * 10 + Int(byte - UInt8(ascii: "0")) }
            entries.append(JSONDocument.Entry(kind: .number, number: negative ? -Double(whole) : Double(whole)))
            return true
        }
        guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)), value.isFinite else { return false }
        entries.append(JSONDocument.Entry(kind: .number, number: value))
        return true
    }

    private mutating func digits() -> Int {
        let start = index
        while let byte = peek(), isDigit(byte) { index += 1 }
        return index - start
    }

    /// A string at `"`: escapes resolved, control characters and invalid UTF-8 (lone surrogates too) refused.
    /// ASCII without escapes stays in the bytes (most strings in webhook bodies); anything else is resolved and
    /// validated here, once, into `strings`.
    private mutating func string() -> Bool {
        index += 1
        let start = index
        // The run of ordinary bytes, scanned without a bounds check or an optional per byte: strings are most of
        // a webhook body. `seen` collects every bit of the run, so its top bit says whether any byte was non-ASCII.
        var seen: UInt8 = 0
        index = bytes.withUnsafeBufferPointer { buffer in
            var end = start
            while end < buffer.count {
                let byte = buffer[end]
                if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 { break }
                seen |= byte
                end += 1
            }
            return end
        }
        let ascii = seen < 0x80
        guard let stop = peek(), stop >= 0x20 else { return false }
        if stop == UInt8(ascii: "\"") {
            index += 1
            if ascii {
                entries.append(JSONDocument.Entry(kind: .string, start: start, end: index - 1))
                return true
            }
            return decoded(String(validating: bytes[start..<(index - 1)], as: UTF8.self))
        }
        var text = Array(bytes[start..<index])
        while let byte = peek() {
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return decoded(String(validating: text, as: UTF8.self))
            case UInt8(ascii: "\\"):
                guard escape(into: &text) else { return false }
            case 0..<0x20:
                return false
            default:
                text.append(byte)
            }
        }
        return false
    }

    private mutating func decoded(_ text: String?) -> Bool {
        guard let text else { return false }
        entries.append(JSONDocument.Entry(kind: .string, decoded: true, start: strings.count))
        strings.append(text)
        return true
    }

    private mutating func escape(into text: inout [UInt8]) -> Bool {
        guard let byte = peek() else { return false }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): text.append(byte)
        case UInt8(ascii: "b"): text.append(0x08)
        case UInt8(ascii: "f"): text.append(0x0C)
        case UInt8(ascii: "n"): text.append(0x0A)
        case UInt8(ascii: "r"): text.append(0x0D)
        case UInt8(ascii: "t"): text.append(0x09)
        case UInt8(ascii: "u"):
            guard let scalar = unicodeEscape() else { return false }
            text.append(contentsOf: String(Character(scalar)).utf8)
        default: return false
        }
        return true
    }

    /// `XXXX` after `\u`, joining a UTF-16 surrogate pair; a lone surrogate is not a character.
    private mutating func unicodeEscape() -> Unicode.Scalar? {
        guard let unit = hex4() else { return nil }
        if (0xD800...0xDBFF).contains(unit) {
            guard take(UInt8(ascii: "\\")), take(UInt8(ascii: "u")), let low = hex4(), (0xDC00...0xDFFF).contains(low)
            else { return nil }
            return Unicode.Scalar(0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00))
        }
        return Unicode.Scalar(unit)
    }

    private mutating func hex4() -> UInt32? {
        guard index + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for byte in bytes[index..<(index + 4)] {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: return nil
            }
            value = value << 4 | UInt32(digit)
        }
        index += 4
        return value
    }

    private mutating func literal(_ word: StaticString, _ kind: JSONDocument.Kind) -> Bool {
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { bytes[index..<(index + count)].elementsEqual($0) }
        guard matches else { return false }
        index += count
        entries.append(JSONDocument.Entry(kind: kind))
        return true
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 { index += 1 }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func take(_ byte: UInt8) -> Bool {
        guard peek() == byte else { return false }
        index += 1
        return true
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }
}
