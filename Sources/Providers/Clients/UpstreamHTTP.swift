import Foundation

/// Authenticated requests (GETs, and the odd read-only POST) against one upstream: adds the configured credential, renews an OAuth2 token once on a 401
/// and retries, and turns non-2xx answers into `UpstreamError`s carrying the upstream's own message.
struct UpstreamHTTP: Sendable {
    private let urls: UpstreamURL
    private let auth: UpstreamAuth
    private let transport: UpstreamTransport
    private let tokens: OAuth2TokenProvider?
    private let now: @Sendable () -> Date

    /// `maxConnections` (the scheduler's per-source concurrency) needs no enforcing here: each poll has one request
    /// in flight, and libcurl's shared connection cache keeps what idles.
    init(configuration: UpstreamConfiguration, maxConnections: Int, now: @escaping @Sendable () -> Date) {
        urls = UpstreamURL(base: configuration.baseURL)
        auth = configuration.auth
        transport = UpstreamTransport(configuration: configuration)
        if case .oauth2(let credentials) = configuration.auth {
            tokens = OAuth2TokenProvider(credentials: credentials, transport: transport, now: now)
        } else {
            tokens = nil
        }
        self.now = now
    }

    /// The configured base URL extended by `pieces` (ref values encoded as single segments) and `query`.
    func url(_ pieces: [UpstreamURL.Piece], query: [(String, String)] = []) throws(UpstreamError) -> URL {
        guard let url = urls.url(pieces, query: query) else { throw .malformed("request URL cannot be formed") }
        return url
    }

    /// The body of a 2xx answer to `GET url`. `headers` are fixed request fields a provider's API asks for
    /// (Harbor's `X-Accept-Vulnerabilities`); never a credential, which only `auth` adds.
    func get(_ url: URL, headers: [(String, String)] = []) async throws(UpstreamError) -> Data {
        try await exchange("GET", url, body: nil, headers: headers)
    }

    /// The body of a 2xx answer to `POST url` with a JSON `body`: for the few read-only queries an upstream
    /// exposes as POST (Binarly's findings report).
    func post(_ url: URL, json body: Data) async throws(UpstreamError) -> Data {
        try await exchange("POST", url, body: body, headers: [])
    }

    private func exchange(_ method: String, _ url: URL, body: Data?, headers: [(String, String)]) async throws(UpstreamError) -> Data {
        let token = try await tokens?.accessToken()
        var response = try await send(method, url, body: body, headers: headers, token: token)
        if response.status == 401, let tokens, let token {
            await tokens.invalidate(token)
            response = try await send(method, url, body: body, headers: headers, token: tokens.accessToken())
        }
        switch response.status {
        case 200..<300:
            return response.body
        case 429:
            throw .rateLimited(retryAfter: RetryAfter.parse(response.header("Retry-After"), now: now()))
        default:
            throw .http(status: response.status, message: UpstreamErrorMessage.from(response.body))
        }
    }

    /// RFC 7617: `Basic` and the base64 of `username:password` as UTF-8.
    static func basicCredentials(username: String, password: String) -> String {
        "Basic " + Data("\(username):\(password)".utf8).base64EncodedString()
    }

    private func send(
        _ method: String, _ url: URL, body: Data?, headers: [(String, String)], token: String?
    ) async throws(UpstreamError) -> UpstreamResponse {
        var request = UpstreamRequest(url: url)
        request.httpMethod = method
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        if let body {
            request.httpBody = body
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        switch auth {
        case .none: break
        case .bearer(let value): request.setValue("Bearer \(value)", forHTTPHeaderField: "Authorization")
        case .header(let name, let value): request.setValue(value, forHTTPHeaderField: name)
        case .oauth2: if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        case .basic(let username, let password):
            request.setValue(Self.basicCredentials(username: username, password: password), forHTTPHeaderField: "Authorization")
        }
        return try await transport.send(request)
    }
}
