/// How one source's webhooks are verified, as configuration states it. Secrets are kept as the configured text;
/// `WebhookVerifier.init` decodes and checks them once.
public enum WebhookScheme: Sendable, Equatable {
    /// Standard Webhooks (also Svix): `whsec_` HMAC secrets and `whpk_`/`whsk_` Ed25519 keys; several for rotation.
    case standardWebhooks(secrets: [String], tolerance: Duration = .seconds(300))
    /// GitHub style `sha256=<hex HMAC of the body>` in a configurable header; several secrets for rotation.
    case hmacSHA256(header: String = Self.defaultHMACHeader, secrets: [String])
    /// The `Authorization` header must equal one of the values (Harbor's "Auth Header").
    case token(values: [String])
    /// No verification at all: only when configured explicitly.
    case none

    public static let defaultHMACHeader = "X-Hub-Signature-256"

    /// The scheme names configuration uses (`webhook.verify`).
    public enum Kind: String, Sendable, CaseIterable {
        case standardWebhooks = "standard-webhooks"
        case hmacSHA256 = "hmac-sha256"
        case token
        case none
    }

    public var kind: Kind {
        switch self {
        case .standardWebhooks: .standardWebhooks
        case .hmacSHA256: .hmacSHA256
        case .token: .token
        case .none: .none
        }
    }
}

// Secrets must never reach a log line, not even through string interpolation or `dump`.
extension WebhookScheme: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    public var description: String {
        switch self {
        case .standardWebhooks(let secrets, _): "standard-webhooks (\(secrets.count) key(s))"
        case .hmacSHA256(let header, let secrets): "hmac-sha256 via \(header) (\(secrets.count) secret(s))"
        case .token(let values): "token (\(values.count) value(s))"
        case .none: "none"
        }
    }

    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["scheme": description]) }
}

/// A webhook verification setting that cannot work, named for `check-config` and start-up errors.
/// `index` is the position of the offending secret in its list; the secret itself is never repeated.
public struct WebhookConfigurationError: Error, Equatable, Sendable, CustomStringConvertible {
    public let index: Int?
    public let problem: String

    public init(index: Int?, problem: String) {
        self.index = index
        self.problem = problem
    }

    public var description: String {
        if let index { "secret #\(index + 1): \(problem)" } else { problem }
    }
}
