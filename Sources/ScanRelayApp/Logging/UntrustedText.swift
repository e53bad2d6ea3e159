/// Text that came from outside — a request path, an upstream's status, a relayed id — made safe to put on one line
/// of a log or a terminal.
///
/// Escaped: C0 controls and DEL (a newline forges a log line, `ESC [` rewrites a terminal), C1 controls (U+0085 is
/// a line break to many readers), the Unicode line and paragraph separators U+2028/U+2029, and the bidirectional
/// controls that make a terminal show text in another order than it has. Each becomes `\u{…}`, visibly not the
/// original; everything else passes through unchanged, so ordinary text costs one scan.
public enum UntrustedText {
    public static func mustEscape(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x2028, 0x2029: true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    public static func escaped<S: StringProtocol>(_ text: S) -> String {
        guard text.unicodeScalars.contains(where: mustEscape) else { return String(text) }
        var safe = ""
        safe.reserveCapacity(text.utf8.count + 16)
        for scalar in text.unicodeScalars {
            if mustEscape(scalar) {
                safe += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                safe.unicodeScalars.append(scalar)
            }
        }
        return safe
    }
}
