import HTTPCore

/// Strong ETags made from a scan's revision (`"7"`), and the `If-None-Match` test (weak comparison, RFC 9110 §13.1.2).
enum EntityTag {
    static func make(revision: UInt64) -> String { "\"\(revision)\"" }

    /// Whether `If-None-Match` names the current representation: `*`, or any listed tag equal to `etag`, ignoring
    /// a `W/` prefix.
    static func ifNoneMatch(_ header: String?, matches etag: String) -> Bool {
        guard let header else { return false }
        for candidate in header.split(separator: ",") {
            var tag = candidate.trimmingASCIISpaces()
            if tag == "*" { return true }
            if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
            if tag == etag { return true }
        }
        return false
    }
}
