/// Who may use the query API. Webhooks are never checked against these tokens: each source has its own scheme.
public struct APIConfiguration: Sendable, Equatable {
    /// Bearer tokens accepted on `/v1/scans`, `/v1/images`, `/v1/events` (`read`) and `/v1/watches` (`write`).
    public var tokens: [APIToken]
    /// Serve an open API (no tokens) on a non-loopback address. Off by default: that is a deliberate choice.
    public var allowAnonymous: Bool

    public init(tokens: [APIToken] = [], allowAnonymous: Bool = false) {
        self.tokens = tokens
        self.allowAnonymous = allowAnonymous
    }

    /// With no tokens configured anyone may call the API.
    public var isOpen: Bool { tokens.isEmpty }
}

/// One bearer token and what it may do.
public struct APIToken: Sendable, Equatable, CustomStringConvertible {
    public enum Scope: String, Sendable, Hashable, CaseIterable, Comparable {
        /// Scans, images and events.
        case read
        /// Creating and stopping watches.
        case write

        public static func < (lhs: Scope, rhs: Scope) -> Bool { lhs.rawValue < rhs.rawValue }
    }

    public var token: String
    public var scopes: Set<Scope>

    public init(token: String, scopes: Set<Scope>) {
        self.token = token
        self.scopes = scopes
    }

    /// Never shows the token itself: configuration may be logged, secrets may not.
    public var description: String {
        "APIToken(<redacted>, scopes: \(scopes.sorted().map(\.rawValue).joined(separator: "+")))"
    }
}
