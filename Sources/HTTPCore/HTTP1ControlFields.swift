/// The fields the parser itself acts on (framing, `Host`, `Expect`, h2c upgrade), noted as each field line arrives
/// so that the end of the head needs no case-insensitive searches through all fields.
struct HTTP1ControlFields: Sendable {
    var hostCount = 0
    var contentLengths: [String] = []
    var transferEncodings: [String] = []
    var expectsContinue = false
    var connectionUpgrade = false
    var upgradeToH2C = false

    /// Notes one field; `name` is the raw name bytes, `value` the trimmed value.
    mutating func note(name: ArraySlice<UInt8>, value: String) {
        // Dispatch on length first: most fields are none of these and cost one comparison.
        switch name.count {
        case 4 where Self.equalsIgnoringCase(name, "host"):
            hostCount += 1
        case 6 where Self.equalsIgnoringCase(name, "expect"):
            expectsContinue = expectsContinue || Self.list(value, contains: "100-continue")
        case 7 where Self.equalsIgnoringCase(name, "upgrade"):
            upgradeToH2C = upgradeToH2C || Self.list(value, contains: "h2c")
        case 10 where Self.equalsIgnoringCase(name, "connection"):
            connectionUpgrade = connectionUpgrade || Self.list(value, contains: "upgrade")
        case 14 where Self.equalsIgnoringCase(name, "content-length"):
            contentLengths.append(value)
        case 17 where Self.equalsIgnoringCase(name, "transfer-encoding"):
            transferEncodings.append(value)
        default:
            break
        }
    }

    /// ASCII case-insensitive equality with a lower-case literal.
    static func equalsIgnoringCase<Bytes: Collection<UInt8>>(_ bytes: Bytes, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        var index = 0
        for byte in bytes {
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == lower.utf8Start[index] else { return false }
            index += 1
        }
        return true
    }

    /// True when the comma-separated list `value` holds `token` (lower-case), ignoring case and OWS.
    static func list(_ value: String, contains token: StaticString) -> Bool {
        value.utf8.split(separator: UInt8(ascii: ",")).contains { element in
            var element = element[...]
            while let b = element.first, HTTPCharacters.isWhitespace(b) { element.removeFirst() }
            while let b = element.last, HTTPCharacters.isWhitespace(b) { element.removeLast() }
            return equalsIgnoringCase(element, token)
        }
    }
}
