/// Percent-decoding (RFC 3986 §2.1) of path segments and query components.
public enum PercentDecoding {
    /// The decoded text, or nil when an escape is malformed (`%`, `%4`, `%zz`) or the bytes are not UTF-8.
    /// With `plusAsSpace` (form-urlencoded queries) a `+` means a space.
    public static func decode(_ text: Substring, plusAsSpace: Bool = false) -> String? {
        let utf8 = text.utf8
        let plus = UInt8(ascii: "+"), percent = UInt8(ascii: "%")
        // Most segments and values hold nothing to decode: no copy through a byte buffer for them.
        guard utf8.contains(where: { $0 == percent || (plusAsSpace && $0 == plus) }) else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(utf8.count)
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            switch byte {
            case percent:
                guard index != utf8.endIndex, let high = HTTPCharacters.hexValue(utf8[index]) else { return nil }
                index = utf8.index(after: index)
                guard index != utf8.endIndex, let low = HTTPCharacters.hexValue(utf8[index]) else { return nil }
                index = utf8.index(after: index)
                bytes.append(high << 4 | low)
            case plus where plusAsSpace:
                bytes.append(UInt8(ascii: " "))
            default:
                bytes.append(byte)
            }
        }
        return String(validating: bytes, as: UTF8.self)
    }
}
