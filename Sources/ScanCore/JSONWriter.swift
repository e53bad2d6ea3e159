import Foundation
import JSONEscaping

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

    /// A quoted, escaped string (``JSONString``).
    public mutating func appendString(_ value: String) {
        JSONString.append(value, to: &bytes)
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
        let second = Int(seconds - floorDays * 86_400)
        let (year, month, day) = RFC3339.civil(fromDays: Int(floorDays))
        // Composed on the stack and appended once: twenty appends to the array, each checking its uniqueness and
        // capacity, cost four times as much (four dates per scan written).
        var text: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &text) { out in
            Self.digits(year, count: 4, into: out, at: 0)
            out[4] = UInt8(ascii: "-")
            Self.digits(month, count: 2, into: out, at: 5)
            out[7] = UInt8(ascii: "-")
            Self.digits(day, count: 2, into: out, at: 8)
            out[10] = UInt8(ascii: "T")
            Self.digits(second / 3600, count: 2, into: out, at: 11)
            out[13] = UInt8(ascii: ":")
            Self.digits(second / 60 % 60, count: 2, into: out, at: 14)
            out[16] = UInt8(ascii: ":")
            Self.digits(second % 60, count: 2, into: out, at: 17)
            out[19] = UInt8(ascii: "Z")
            bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: out[..<20]))
        }
    }

    /// `value` as exactly `count` decimal digits (the lowest ones; a negative value as zeros).
    private static func digits(_ value: Int, count: Int, into out: UnsafeMutableRawBufferPointer, at offset: Int) {
        var rest = max(0, value)
        for position in stride(from: offset + count - 1, through: offset, by: -1) {
            out[position] = UInt8(ascii: "0") + UInt8(rest % 10)
            rest /= 10
        }
    }
}
