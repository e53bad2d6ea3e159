import Foundation

/// Builds request URLs from the configured base URL and ref values.
///
/// Every ref value becomes exactly one percent-encoded path segment or query value: only RFC 3986 unreserved
/// characters pass through, so `/`, `%`, `@`, `?`, `#` and `:` can never add a segment, change the host or end the
/// path, and a value of `.` or `..` is encoded so no resolver treats it as a dot segment.
struct UpstreamURL {
    private static let unreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    let base: URL

    /// `base` + `/` + the literal path pieces and encoded values, in order, with an optional query.
    /// `pieces` alternate freely between `.literal` (our own fixed path text) and `.value` (anything from a ref).
    func url(_ pieces: [Piece], query: [(String, String)] = []) -> URL? {
        var text = base.absoluteString
        if text.hasSuffix("/") { text.removeLast() }
        for piece in pieces {
            switch piece {
            case .literal(let literal): text += literal
            case .value(let value): text += Self.encodeSegment(value)
            case .doubleEncoded(let value): text += Self.encode(Self.encode(value))
            case .reference(let value): text += Self.encodeSegment(value, keeping: Self.unreservedAndColon)
            }
        }
        if !query.isEmpty {
            text += "?" + query.map { "\(Self.encode($0.0))=\(Self.encode($0.1))" }.joined(separator: "&")
        }
        guard let url = URL(string: text), url.host == base.host, url.port == base.port else { return nil }
        return url
    }

    enum Piece: ExpressibleByStringLiteral {
        case literal(String)
        case value(String)
        /// A value that may hold `/`, encoded twice so the upstream's router sees one segment (Harbor's repository
        /// name: `team/nginx` is sent as `team%252Fnginx`). Callers keep `.` and `..` out of it (ref validation).
        case doubleEncoded(String)
        /// One segment like `value`, but keeping `:` (a path character): a digest `sha256:…` as upstreams print it.
        case reference(String)
        init(stringLiteral value: String) { self = .literal(value) }
    }

    private static let unreservedAndColon = unreserved.union(CharacterSet(charactersIn: ":"))

    static func encode(_ value: String) -> String {
        value.addingPercentEncoding(withAllowedCharacters: unreserved) ?? ""
    }

    private static func encodeSegment(_ value: String, keeping allowed: CharacterSet = unreserved) -> String {
        if value == "." || value == ".." { return String(repeating: "%2E", count: value.count) }
        return value.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }
}
