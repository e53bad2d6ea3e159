/// Who may call a route. Every route declares it where it is registered (`Router.add` has no default), and it is
/// checked against the route a request matched — the path decoded exactly as the router decodes it — never against
/// the raw request target, which an encoded byte (`/%761/scans`) makes disagree with the route.
public enum RouteAccess: Hashable, Sendable {
    /// Anyone: liveness, readiness, metrics, the served spec, test doubles.
    case open
    /// The handler authenticates each request itself by a scheme of its own (webhooks: their source's signature).
    case verifiedByHandler
    /// A credential granting this scope. The names are the application's; one the application does not know is
    /// refused, never waved through.
    case scope(String)
}

/// The route a request matched: set by the router once, before any middleware runs, so authorization, metrics and
/// logs all read the same decision.
public struct MatchedRoute: Sendable {
    /// The pattern as registered (`/v1/scans/{id}`): a bounded label, never the raw path.
    public let pattern: String
    public let access: RouteAccess
    let handler: RouteTrie.Handler
    let beforeBody: RouteTrie.HeadCheck?
}

/// What the router decided about a request.
public enum Routing: Sendable {
    case matched(MatchedRoute)
    /// No handler runs; the router answers itself (see `Router.answer(_:to:)`).
    case refused(RoutingRefusal)
}

/// Why no route runs for a request.
public enum RoutingRefusal: Sendable, Equatable {
    /// A method the server implements nowhere: 501.
    case methodNotImplemented
    /// `OPTIONS *`: 204 with the implemented methods.
    case serverWideOptions
    /// Not origin-form, or malformed percent-encoding: 400.
    case malformedPath
    /// No route has this path: 404.
    case notFound
    /// Routes exist for the path, not for the method: 405 with `Allow`.
    case methodNotAllowed(allow: String)
}
