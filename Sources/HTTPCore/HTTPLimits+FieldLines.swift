extension HTTPLimits {
    /// The longest the next field line of a section may be: the per-line limit or what is left of the section.
    func fieldLineLimit(sectionBytesLeft: Int) -> Int {
        min(maxFieldLineBytes, sectionBytesLeft)
    }

    /// The `431` for a field line longer than `fieldLineLimit(sectionBytesLeft:)`, naming the limit it crossed.
    func fieldLineTooLarge(sectionBytesLeft: Int, section: String, sectionLimit: Int) -> HTTP1ParseError {
        let reason = maxFieldLineBytes < sectionBytesLeft
            ? "field line longer than \(maxFieldLineBytes) bytes"
            : "\(section) larger than \(sectionLimit) bytes"
        return HTTP1ParseError(status: .requestHeaderFieldsTooLarge, reason: reason)
    }
}
