import Foundation

/// Strong entity tags for scans and `If-None-Match` matching (RFC 9110 §8.8.3, §13.1.2).
public enum ETag {
    /// `"<revision>-<updatedAt in µs, hex>"`: the revision alone could repeat for a different state once a scan is
    /// evicted and cached again; the change time tells those apart.
    public static func of(_ scan: Scan) -> String {
        let micros = Int64((scan.updatedAt.timeIntervalSince1970 * 1e6).rounded())
        return "\"\(scan.revision)-\(String(UInt64(bitPattern: micros), radix: 16))\""
    }

    /// Whether an `If-None-Match` value matches `etag`: `*`, or a comma-separated list of entity tags compared
    /// weakly (a `W/` prefix on either side is ignored), as RFC 9110 prescribes for `If-None-Match`.
    public static func matches(ifNoneMatch header: String, etag: String) -> Bool {
        let wanted = opaqueTag(etag)
        var rest = Substring(header)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            if rest.isEmpty { return false }
            if rest.hasPrefix("*") { return true }
            if rest.hasPrefix("W/") { rest = rest.dropFirst(2) }
            guard rest.hasPrefix("\""), let close = rest.dropFirst().firstIndex(of: "\"") else { return false }
            if rest[rest.index(after: rest.startIndex)..<close] == wanted { return true }
            rest = rest[rest.index(after: close)...]
        }
    }

    private static func opaqueTag(_ etag: String) -> Substring {
        var tag = Substring(etag)
        if tag.hasPrefix("W/") { tag = tag.dropFirst(2) }
        if tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") { tag = tag.dropFirst().dropLast() }
        return tag
    }
}
