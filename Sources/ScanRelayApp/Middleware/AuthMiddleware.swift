import HTTPCore

/// Bearer-token authorization of the query API, decided by the route the request matched.
///
/// Each route declares its access where it is registered (`AppRoutes`, the `*API` types); this middleware reads that
/// declaration from `request.matchedRoute`, which the router set from the decoded path before any middleware ran. It
/// never looks at the raw request target: `/%761/scans` and `/v1/scans` are one route and need one scope. With no
/// tokens configured the API is open: whether that is allowed on the listen address was decided at start.
struct AuthMiddleware: HTTPMiddleware {
    /// nil when no tokens are configured.
    let authenticator: TokenAuthenticator?

    static let challenge = "Bearer realm=\"scanrelay\""

    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse {
        // Unmatched requests go on to the router's own 400/404/405/501: no handler runs for them.
        guard let authenticator, let route = request.matchedRoute else { return await next.respond(to: request) }
        let needed: APIToken.Scope
        switch route.access {
        case .open, .verifiedByHandler:
            return await next.respond(to: request)
        case .scope(let name):
            guard let scope = APIToken.Scope(rawValue: name) else {
                // A scope this service does not grant: nobody may call the route.
                return .problem(.forbidden, "this operation is not available to any token")
            }
            needed = scope
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
        guard scopes.contains(needed) else {
            return .problem(.forbidden, "this operation needs the \(needed.rawValue) scope")
        }
        return await next.respond(to: request)
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

extension RouteAccess {
    /// Reading scans, images, watches and events.
    static let read = RouteAccess.scope(APIToken.Scope.read.rawValue)
    /// Creating and deleting watches (each makes the service call scanners with its own credentials).
    static let write = RouteAccess.scope(APIToken.Scope.write.rawValue)
}
