/// An entity tag (RFC 9110 §8.8.3) and the `If-None-Match` test (§13.1.2), the one both the API and its clients use.
public struct EntityTag: Sendable, Hashable {
    /// What sits between the quotes.
    public let opaque: String
    public let isWeak: Bool

    public init(_ opaque: String, weak: Bool = false) {
        self.opaque = opaque
        self.isWeak = weak
    }

    /// The field value: `"opaque"`, or `W/"opaque"`.
    public var headerValue: String { (isWeak ? "W/\"" : "\"") + opaque + "\"" }

    /// Whether an `If-None-Match` field value names this tag: `*`, or a comma-separated list holding a tag with the
    /// same opaque part — compared weakly (a `W/` on either side is ignored), as RFC 9110 prescribes for
    /// `If-None-Match`. A malformed list matches nothing from where it goes wrong, so the full answer is sent.
    public func isMatched(byIfNoneMatch header: String?) -> Bool {
        guard let header else { return false }
        var rest = Substring(header)
        while true {
            rest = rest.drop { $0 == " " || $0 == "\t" || $0 == "," }
            if rest.isEmpty { return false }
            if rest.hasPrefix("*") { return true }
            if rest.hasPrefix("W/") { rest = rest.dropFirst(2) }
            guard rest.hasPrefix("\""), let close = rest.dropFirst().firstIndex(of: "\"") else { return false }
            if rest[rest.index(after: rest.startIndex)..<close] == opaque { return true }
            rest = rest[rest.index(after: close)...]
        }
    }
}
