import HTTPCore

/// Bearer-token authorization of the query API.
///
/// Operational endpoints and webhooks are open here (webhooks are verified by their source's scheme in the
/// handler). `GET` under `/v1/` needs `read`; changing watches needs `write`. With no tokens configured the API is
/// open: whether that is allowed on the listen address was decided at start.
struct AuthMiddleware: HTTPMiddleware {
    /// nil when no tokens are configured.
    let authenticator: TokenAuthenticator?

    static let challenge = "Bearer realm=\"scanrelay\""

    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        guard let authenticator, let scope = Self.requiredScope(for: request) else {
            return await next.respond(to: request)
        }
        guard let token = Self.bearerToken(in: request.headers["Authorization"]) else {
            return .problem(
                .unauthorized, "a bearer token is required", headers: ["WWW-Authenticate": Self.challenge])
        }
        guard let scopes = authenticator.scopes(for: token) else {
            return .problem(
                .unauthorized, "the bearer token is not valid",
                headers: ["WWW-Authenticate": Self.challenge + ", error=\"invalid_token\""])
        }
        guard scopes.contains(scope) else {
            return .problem(.forbidden, "this operation needs the \(scope.rawValue) scope")
        }
        return await next.respond(to: request)
    }

    /// The scope a request needs, or nil for open paths.
    static func requiredScope(for request: HTTPRequest) -> APIToken.Scope? {
        let path = request.path
        guard path.hasPrefix("/v1/"), !path.hasPrefix("/v1/webhooks/") else { return nil }
        let reads = request.method == .get || request.method == .head
        if !reads && (path == "/v1/watches" || path.hasPrefix("/v1/watches/")) { return .write }
        return .read
    }

    /// The token of `Bearer <token>` (scheme case-insensitive, RFC 6750 §2.1); nil for any other form.
    static func bearerToken(in value: String?) -> String? {
        guard let value else { return nil }
        let parts = value.trimmingASCIISpaces().split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].equalsIgnoringASCIICase("Bearer") else { return nil }
        let token = parts[1].trimmingASCIISpaces()
        return token.isEmpty ? nil : String(token)
    }
}
