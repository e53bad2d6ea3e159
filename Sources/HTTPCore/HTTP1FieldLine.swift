/// One `field-name ":" OWS field-value OWS` line (RFC 9112 §5), parsed strictly: no obs-fold, no whitespace before
/// the colon, a token name, and no control characters other than HTAB in the value. Values are decoded as UTF-8;
/// obs-text bytes that are not UTF-8 become U+FFFD rather than failing the request (RFC 9110 §5.5 allows them).
enum HTTP1FieldLine {
    /// Parses a non-empty line without its CRLF into its raw name bytes, the name and the OWS-trimmed value.
    static func parse(_ line: [UInt8]) throws(HTTP1ParseError) -> (nameBytes: ArraySlice<UInt8>, name: String, value: String) {
        guard let first = line.first, !HTTPCharacters.isWhitespace(first) else {
            throw .badRequest("obsolete line folding")
        }
        guard let colon = line.firstIndex(of: HTTPCharacters.colon) else { throw .badRequest("field line without colon") }
        let name = line[..<colon]
        guard !name.isEmpty else { throw .badRequest("empty field name") }
        guard name.allSatisfy(HTTPCharacters.isToken) else {
            if let last = name.last, HTTPCharacters.isWhitespace(last) {
                throw .badRequest("whitespace between field name and colon")
            }
            throw .badRequest("field name is not a token")
        }
        var value = line[(colon + 1)...]
        guard value.allSatisfy(HTTPCharacters.isFieldValue) else { throw .badRequest("control character in field value") }
        while let b = value.first, HTTPCharacters.isWhitespace(b) { value.removeFirst() }
        while let b = value.last, HTTPCharacters.isWhitespace(b) { value.removeLast() }
        return (name, String(decoding: name, as: UTF8.self), String(decoding: value, as: UTF8.self))
    }
}
