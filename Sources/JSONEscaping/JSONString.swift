/// JSON string literals (RFC 8259), the one escaper of the service: scans on the serving path, problem+json bodies,
/// the few hand-written bodies and the JSON log lines all quote their strings here, so they cannot disagree.
///
/// `"` and `\` are escaped, `\n`, `\r` and `\t` by name, every other control character below U+0020 as `\u00XX`
/// (lower-case hex); everything else, non-ASCII UTF-8 included, is copied as it is.
public enum JSONString {
    /// `value`, quoted and escaped, appended to `out`.
    public static func append(_ value: String, to out: inout [UInt8]) {
        out.append(quote)
        let copied: Void? = value.utf8.withContiguousStorageIfAvailable { appendEscaped($0, to: &out) }
        if copied == nil {
            for byte in value.utf8 { appendEscaped(byte, to: &out) }
        }
        out.append(quote)
    }

    /// As ``append(_:to:)``, and also writes as `\uXXXX` every scalar `alsoEscaping` names, though JSON allows it
    /// raw. For text a reader sees besides a JSON parser: the JSON log passes `UntrustedText.mustEscape`, because a
    /// log viewer or a terminal showing the line raw would break it at U+0085, U+2028 or U+2029, act on DEL and the
    /// C1 controls, or show it reordered by bidirectional controls. The escapes above keep their short forms (`\n`,
    /// not `\u000a`), and a scalar beyond U+FFFF is written as its UTF-16 surrogate pair, as RFC 8259 requires.
    public static func append(
        _ value: String, to out: inout [UInt8], alsoEscaping mustEscape: (Unicode.Scalar) -> Bool
    ) {
        // Ordinary text has none of them: one scan, then the byte path with its bulk copies.
        guard value.unicodeScalars.contains(where: mustEscape) else { return append(value, to: &out) }
        out.append(quote)
        for scalar in value.unicodeScalars {
            if scalar.isASCII, needsEscape(UInt8(scalar.value)) {
                appendEscaped(UInt8(scalar.value), to: &out)
            } else if mustEscape(scalar) {
                if scalar.value > 0xFFFF {
                    let offset = scalar.value - 0x1_0000
                    appendUnicodeEscape(UInt16(0xD800 + (offset >> 10)), to: &out)
                    appendUnicodeEscape(UInt16(0xDC00 + (offset & 0x3FF)), to: &out)
                } else {
                    appendUnicodeEscape(UInt16(scalar.value), to: &out)
                }
            } else {
                out.append(contentsOf: scalar.utf8)
            }
        }
        out.append(quote)
    }

    private static let quote = UInt8(ascii: "\"")

    /// Copies the runs between escapes in one go: most strings (ids, digests, statuses) need no escaping at all,
    /// and serving a scan writes a dozen of them, so a byte-by-byte append (a capacity check each) would dominate.
    private static func appendEscaped(_ utf8: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var runStart = 0
        for index in utf8.indices where needsEscape(utf8[index]) {
            if runStart < index { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index])) }
            appendEscaped(utf8[index], to: &out)
            runStart = index + 1
        }
        if runStart < utf8.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...])) }
    }

    /// UTF-8 continuation and lead bytes are all at or above 0x80, so a byte test never splits a character.
    private static func needsEscape(_ byte: UInt8) -> Bool {
        byte < 0x20 || byte == quote || byte == UInt8(ascii: "\\")
    }

    private static func appendEscaped(_ byte: UInt8, to out: inout [UInt8]) {
        let named: UInt8
        switch byte {
        case quote, UInt8(ascii: "\\"): named = byte
        case UInt8(ascii: "\n"): named = UInt8(ascii: "n")
        case UInt8(ascii: "\r"): named = UInt8(ascii: "r")
        case UInt8(ascii: "\t"): named = UInt8(ascii: "t")
        case ..<0x20: return appendUnicodeEscape(UInt16(byte), to: &out)
        default: return out.append(byte)
        }
        out.append(UInt8(ascii: "\\"))
        out.append(named)
    }

    /// `\uXXXX`, lower-case hex.
    private static func appendUnicodeEscape(_ unit: UInt16, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\\"))
        out.append(UInt8(ascii: "u"))
        for shift in stride(from: 12, through: 0, by: -4) {
            let nibble = UInt8(truncatingIfNeeded: unit >> UInt16(shift)) & 0x0F
            out.append(nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10)
        }
    }
}
