import Foundation
import ScanCore

/// A configured instance of a provider: its name in URLs and scan ids, how to poll it, how its webhooks are verified.
public struct SourceConfiguration: Sendable, Equatable {
    /// Unique; used in `/v1/webhooks/{name}` and as the prefix of scan ids.
    public var name: String
    public var provider: Provider
    /// Where and how to poll; `nil` for a webhook-only source.
    public var upstream: UpstreamSettings?
    public var webhook: WebhookSettings

    public init(name: String, provider: Provider, upstream: UpstreamSettings? = nil, webhook: WebhookSettings) {
        self.name = name
        self.provider = provider
        self.upstream = upstream
        self.webhook = webhook
    }
}

/// The scanner's REST API that a source polls.
public struct UpstreamSettings: Sendable, Equatable {
    /// Absolute `http`/`https` URL; may carry a path prefix (OpsMx installs under `/gate`).
    public var baseURL: URL
    public var auth: UpstreamAuth
    /// `upstream.tls`: a private CA, a client certificate.
    public var tls: UpstreamTLSSettings
    /// `upstream.proxy`: the environment's proxy unless set.
    public var proxy: UpstreamProxySetting

    public init(
        baseURL: URL, auth: UpstreamAuth = .none, tls: UpstreamTLSSettings = UpstreamTLSSettings(),
        proxy: UpstreamProxySetting = .environment
    ) {
        self.baseURL = baseURL
        self.auth = auth
        self.tls = tls
        self.proxy = proxy
    }
}

/// PEM files the upstream client reads when it connects (so a renewed file is used without a restart). The server
/// is always verified; no setting turns that off.
public struct UpstreamTLSSettings: Sendable, Equatable {
    /// Trust anchors used instead of the system bundle.
    public var caFile: String?
    /// mTLS: the client certificate and its private key, both or neither.
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}

/// How the upstream is reached: through the environment's proxy (`https_proxy`, `NO_PROXY` …), a configured one, or
/// directly. The description hides a proxy's credentials.
public enum UpstreamProxySetting: Sendable, Equatable, CustomStringConvertible {
    case environment
    case url(URL)
    case none

    public var description: String {
        switch self {
        case .environment: return "environment"
        case .none: return "none"
        case .url(let url):
            var components = URLComponents(url: url, resolvingAgainstBaseURL: false)
            if components?.password != nil { components?.password = "<redacted>" }
            return components?.string ?? "<proxy URL>"
        }
    }
}

/// Credentials sent to an upstream. The description never shows a secret.
public enum UpstreamAuth: Sendable, Equatable, CustomStringConvertible {
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// A custom header, e.g. OpsMx's `X-OpsMx-Auth: Bearer <token>`.
    case header(name: String, value: String)
    /// OAuth2 client credentials; the bearer token is fetched and renewed by the upstream client.
    case oauth2(OAuth2Settings)
    /// `Authorization: Basic base64(username:password)`, e.g. a Harbor robot account.
    case basic(username: String, password: String)

    public var description: String {
        switch self {
        case .none: "none"
        case .bearer: "bearer(<redacted>)"
        case .header(let name, _): "header(\(name): <redacted>)"
        case .oauth2(let settings): "oauth2(\(settings.tokenURL.absoluteString), client \(settings.clientID))"
        case .basic: "basic(<redacted>)"
        }
    }
}

public struct OAuth2Settings: Sendable, Equatable {
    public var tokenURL: URL
    public var clientID: String
    public var clientSecret: String
    public var audience: String?

    public init(tokenURL: URL, clientID: String, clientSecret: String, audience: String? = nil) {
        self.tokenURL = tokenURL
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.audience = audience
    }
}

/// How deliveries to `/v1/webhooks/{source}` are verified.
public struct WebhookSettings: Sendable, Equatable, CustomStringConvertible {
    public enum Verification: String, Sendable, Equatable, CaseIterable {
        /// `webhook-id`/`webhook-timestamp`/`webhook-signature`, secrets `whsec_<base64>`.
        case standardWebhooks = "standard-webhooks"
        /// `sha256=<hex>` HMAC of the raw body in `header`.
        case hmacSHA256 = "hmac-sha256"
        /// The `Authorization` header equals one of `tokens` (Harbor's "Auth Header").
        case token
        /// No check at all; allowed only when written explicitly, and warned about at start.
        case none
    }

    public static let defaultSignatureHeader = "X-Hub-Signature-256"

    public var verify: Verification
    /// Signing secrets for `standard-webhooks` and `hmac-sha256`; several allow rotation (any one may match).
    public var secrets: [String]
    /// The signature header of `hmac-sha256`.
    public var header: String
    /// Accepted `Authorization` values of the `token` scheme.
    public var tokens: [String]

    public init(
        verify: Verification,
        secrets: [String] = [],
        header: String = WebhookSettings.defaultSignatureHeader,
        tokens: [String] = []
    ) {
        self.verify = verify
        self.secrets = secrets
        self.header = header
        self.tokens = tokens
    }

    public var description: String {
        "WebhookSettings(\(verify.rawValue), \(secrets.count) secret(s), \(tokens.count) token(s), header \(header))"
    }
}
