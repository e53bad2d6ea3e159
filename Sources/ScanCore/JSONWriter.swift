import Foundation

/// Appends JSON tokens to a byte buffer. The serving path writes scans with it instead of `JSONEncoder`, which
/// costs several microseconds per object in reflection and boxing.
public struct JSONWriter: Sendable {
    public private(set) var bytes: [UInt8]

    public init(capacity: Int = 512) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    /// Literal JSON text: punctuation and pre-quoted keys such as `",\"status\":"`.
    public mutating func appendRaw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    /// Bytes that already are valid JSON (the upstream document of a scan).
    public mutating func appendRaw(_ json: [UInt8]) {
        bytes.append(contentsOf: json)
    }

    public mutating func appendNull() { appendRaw("null") }

    public mutating func appendBool(_ value: Bool) { appendRaw(value ? "true" : "false") }

    /// A quoted, escaped string: `"` and `\` are escaped, control characters as `\n`-style or `\u00XX`; everything
    /// else, non-ASCII UTF-8 included, is copied.
    public mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        let copied: Void? = value.utf8.withContiguousStorageIfAvailable { appendEscaped($0) }
        if copied == nil {
            for byte in value.utf8 { appendEscaped(byte) }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    public mutating func appendString(_ value: String?) {
        if let value { appendString(value) } else { appendNull() }
    }

    /// Digits written straight into the buffer: `String(value)` allocates a string per number, a quarter of the
    /// cost of writing a scan.
    public mutating func appendInt(_ value: some BinaryInteger) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        guard let magnitude = UInt64(exactly: value.magnitude) else {
            return bytes.append(contentsOf: String(value.magnitude).utf8)
        }
        var divisor: UInt64 = 1
        while magnitude / divisor >= 10 { divisor *= 10 }
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(magnitude / divisor % 10))
            divisor /= 10
        }
    }

    /// A number in the shortest form that reads back to the same value; `null` for NaN and infinities, which JSON
    /// cannot carry.
    public mutating func appendDouble(_ value: Double?) {
        guard let value, value.isFinite else { return appendNull() }
        bytes.append(contentsOf: value.description.utf8)
    }

    /// A quoted RFC 3339 timestamp (see ``RFC3339/format(_:)``).
    public mutating func appendQuotedDate(_ date: Date?) {
        guard let date else { return appendNull() }
        bytes.append(UInt8(ascii: "\""))
        appendDate(date)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `YYYY-MM-DDTHH:MM:SSZ`: UTC, whole seconds, the fraction truncated (README, "Timestamps"). The one shape
    /// every generated client's default date decoding reads (Swift's `.iso8601` refuses fractions). The record
    /// keeps full precision; only what leaves the service is cut, and truncating (never rounding up) keeps a time
    /// handed back as `updatedSince` at or before the record's, so the inclusive filter still finds it.
    mutating func appendDate(_ date: Date) {
        // Clamped so the integer conversion cannot trap; real dates are far inside the range.
        let seconds = Int64(min(max(date.timeIntervalSince1970, -1e11), 1e11).rounded(.down))
        let floorDays = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let second = seconds - floorDays * 86_400
        let (year, month, day) = RFC3339.civil(fromDays: Int(floorDays))
        appendDigits(year, count: 4)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(month, count: 2)
        bytes.append(UInt8(ascii: "-"))
        appendDigits(day, count: 2)
        bytes.append(UInt8(ascii: "T"))
        appendDigits(Int(second / 3600), count: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(second / 60 % 60), count: 2)
        bytes.append(UInt8(ascii: ":"))
        appendDigits(Int(second % 60), count: 2)
        bytes.append(UInt8(ascii: "Z"))
    }

    private mutating func appendDigits(_ value: Int, count: Int) {
        var divisor = 1
        for _ in 1..<count { divisor *= 10 }
        var rest = max(0, value)
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    private mutating func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>) {
        // Most strings (ids, digests, statuses) need no escaping: copy them in one go.
        if !utf8.contains(where: JSONWriter.needsEscape) {
            bytes.append(contentsOf: utf8)
            return
        }
        for byte in utf8 { appendEscaped(byte) }
    }

    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\")
    }

    private mutating func appendEscaped(_ byte: UInt8) {
        switch byte {
        case UInt8(ascii: "\""): appendRaw("\\\"")
        case UInt8(ascii: "\\"): appendRaw("\\\\")
        case UInt8(ascii: "\n"): appendRaw("\\n")
        case UInt8(ascii: "\r"): appendRaw("\\r")
        case UInt8(ascii: "\t"): appendRaw("\\t")
        case 0x08: appendRaw("\\b")
        case 0x0C: appendRaw("\\f")
        case ..<0x20:
            appendRaw("\\u00")
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            bytes.append(hex[Int(byte >> 4)])
            bytes.append(hex[Int(byte & 0x0F)])
        default: bytes.append(byte)
        }
    }
}
