import Foundation

/// Where and how ScanRelay calls one source's upstream API. Built from configuration only: no URL is ever taken from
/// a request, a webhook or a ref, so nothing a caller sends can point the client at another host.
public struct UpstreamConfiguration: Sendable {
    public var baseURL: URL
    public var auth: UpstreamAuth
    /// Bounds each upstream call (`poll.requestTimeout`); a call past it fails as `UpstreamError.timeout`.
    public var requestTimeout: Duration
    /// Bounds connecting (TCP, proxy tunnel, TLS handshake) within `requestTimeout`.
    public var connectTimeout: Duration
    public var proxy: UpstreamProxy
    public var tls: UpstreamTLS

    public init(
        baseURL: URL, auth: UpstreamAuth = .none, requestTimeout: Duration = .seconds(30),
        connectTimeout: Duration = .seconds(10), proxy: UpstreamProxy = .environment, tls: UpstreamTLS = UpstreamTLS()
    ) {
        self.baseURL = baseURL
        self.auth = auth
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.proxy = proxy
        self.tls = tls
    }
}

/// Which proxy reaches an upstream (`upstream.proxy`).
public enum UpstreamProxy: Sendable, Equatable {
    /// `https_proxy`/`HTTPS_PROXY`, `http_proxy`, `ALL_PROXY` and `NO_PROXY`, as libcurl reads them.
    case environment
    /// This proxy for every request, whatever the environment says (`NO_PROXY` included).
    case url(URL)
    /// Direct connections, whatever the environment says.
    case none
}

/// TLS settings for an upstream (`upstream.tls`): PEM file paths. The server is always verified.
public struct UpstreamTLS: Sendable, Equatable {
    /// Trust anchors used instead of the system bundle: a private CA.
    public var caFile: String?
    /// A client certificate and its key for mTLS; both or neither.
    public var certFile: String?
    public var keyFile: String?

    public init(caFile: String? = nil, certFile: String? = nil, keyFile: String? = nil) {
        self.caFile = caFile
        self.certFile = certFile
        self.keyFile = keyFile
    }
}

/// How requests to an upstream are authenticated. Secrets live here and nowhere else: no log line or error text
/// includes them (`description` is redacted).
public enum UpstreamAuth: Sendable, CustomStringConvertible {
    case none
    /// `Authorization: Bearer <token>`.
    case bearer(String)
    /// A custom field, e.g. OpsMx's `X-OpsMx-Auth: Bearer <token>`.
    case header(name: String, value: String)
    /// OAuth2 client credentials: a form POST to `tokenURL`, the token then sent as a bearer token.
    case oauth2(OAuth2Credentials)
    /// `Authorization: Basic base64(username:password)` (RFC 7617), e.g. a Harbor robot account
    /// (`robot$project+name` and its secret).
    case basic(username: String, password: String)

    public var description: String {
        switch self {
        case .none: "none"
        case .bearer: "bearer(<redacted>)"
        case .header(let name, _): "header(\(name): <redacted>)"
        case .oauth2(let credentials): "oauth2(\(credentials.tokenURL.absoluteString), client \(credentials.clientID))"
        case .basic: "basic(<redacted>)"
        }
    }
}

/// OAuth2 client-credentials settings (RFC 6749 §4.4), e.g. a Binarly tenant's Keycloak realm.
public struct OAuth2Credentials: Sendable {
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
