/// Dispatches requests to handlers by method and path pattern.
///
/// The rules every route shares are applied here once: `HEAD` is served by the `GET` route (the connection drops the
/// body), a method implemented nowhere is `501`, a path with other methods only is `405` with `Allow`, an unknown
/// path is `404`, malformed percent-encoding is `400` — all as problem+json. A handler may throw: what it throws is
/// answered by the one mapping the responder is given (`responder(behind:answeringErrors:)`), never route by route.
public struct Router: HTTPResponder {
    /// How an error thrown by a handler is answered.
    public typealias ErrorAnswer = @Sendable (any Error) -> HTTPResponse

    private var trie = RouteTrie()

    public init() {}

    /// Registers a handler. In `pattern` (e.g. `/v1/scans/{id}`), `{name}` matches exactly one non-empty path segment,
    /// percent-decoded into `request.pathParameters[name]` (so `%2F` becomes `/` inside a parameter); other segments
    /// match literally and win over parameters. `access` has no default: a route that does not say who may call it
    /// cannot be registered.
    ///
    /// `beforeBody`, when given, answers a request from its routed head alone when its body is over `maxBodyBytes`
    /// (see `HTTPResponder.answerBeforeBody`): an unknown webhook source is `404` whatever the size of its body.
    public mutating func add(
        _ method: HTTPMethod, _ pattern: String, access: RouteAccess,
        beforeBody: (@Sendable (HTTPRequest) -> HTTPResponse?)? = nil,
        _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        trie.insert(method, pattern, access: access, beforeBody: beforeBody, handler)
    }

    public mutating func get(
        _ pattern: String, access: RouteAccess, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        add(.get, pattern, access: access, handler)
    }

    public mutating func post(
        _ pattern: String, access: RouteAccess, beforeBody: (@Sendable (HTTPRequest) -> HTTPResponse?)? = nil,
        _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        add(.post, pattern, access: access, beforeBody: beforeBody, handler)
    }

    public mutating func put(
        _ pattern: String, access: RouteAccess, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        add(.put, pattern, access: access, handler)
    }

    public mutating func delete(
        _ pattern: String, access: RouteAccess, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        add(.delete, pattern, access: access, handler)
    }

    public mutating func patch(
        _ pattern: String, access: RouteAccess, _ handler: @escaping @Sendable (HTTPRequest) async throws -> HTTPResponse
    ) {
        add(.patch, pattern, access: access, handler)
    }

    /// Routes and answers a request with no middleware in front (test doubles, fake upstreams); an error a handler
    /// throws is a `500`.
    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        await Self.dispatch(route(request), answeringErrors: Self.internalError)
    }

    /// The answer to an error no mapping knows: `500`, telling the client nothing of the error itself.
    public static let internalError: ErrorAnswer = { _ in .problem(.internalServerError, "the request failed") }

    /// The matched route's `beforeBody` answer for an oversized request, from its head routed as any request is.
    public func answerBeforeBody(to head: HTTPRequest) -> HTTPResponse? {
        let routed = route(head)
        return routed.matchedRoute?.beforeBody?(routed)
    }

    /// The request with its routing decided (`routing` set, path parameters filled): the one match of a request.
    public func route(_ request: HTTPRequest) -> HTTPRequest {
        var routed = request
        routed.routing = .refused(.notFound)
        guard HTTPMethod.implemented.contains(request.method) else {
            routed.routing = .refused(.methodNotImplemented)
            return routed
        }
        if request.target == "*", request.method == .options {
            routed.routing = .refused(.serverWideOptions)
            return routed
        }
        let node: RouteTrie.Node, values: [Substring]
        switch lookUp(request) {
        case .malformed:
            routed.routing = .refused(.malformedPath)
            return routed
        case .unrouted:
            return routed
        case .routed(let found, let parameters): (node, values) = (found, parameters)
        }
        guard let route = node.routes[request.method] ?? (request.method == .head ? node.routes[.get] : nil) else {
            routed.routing = .refused(.methodNotAllowed(allow: Self.allowedMethods(node)))
            return routed
        }
        for (name, value) in zip(route.parameterNames, values) { routed.pathParameters[name] = String(value) }
        routed.routing = .matched(
            MatchedRoute(pattern: node.pattern ?? "", access: route.access, handler: route.handler, beforeBody: route.beforeBody))
        return routed
    }

    /// Runs the handler of a routed request, or gives the router's own answer when none matched.
    static func dispatch(_ request: HTTPRequest, answeringErrors answerError: ErrorAnswer) async -> HTTPResponse {
        switch request.routing {
        case .matched(let route):
            do {
                return try await route.handler(request)
            } catch {
                return answerError(error)
            }
        case .refused(let refusal): return answer(refusal, to: request)
        case nil: return answer(.notFound, to: request)
        }
    }

    /// The router's own answer when no route runs, as problem+json (the `OPTIONS *` answer aside).
    static func answer(_ refusal: RoutingRefusal, to request: HTTPRequest) -> HTTPResponse {
        switch refusal {
        case .methodNotImplemented:
            return .problem(.notImplemented, "method \(request.method) is not implemented")
        case .serverWideOptions:
            // `OPTIONS *` asks about the server as a whole (RFC 9110 §9.3.7).
            let allowed = HTTPMethod.implemented.map(\.rawValue).sorted().joined(separator: ", ")
            return HTTPResponse(status: .noContent, headers: ["Allow": allowed])
        case .malformedPath:
            return .problem(.badRequest, "the path is not an absolute path with valid percent-encoding")
        case .notFound:
            return .problem(.notFound, "no resource at this path")
        case .methodNotAllowed(let allowed):
            return .problem(
                .methodNotAllowed, "\(request.method) is not allowed here; allowed: \(allowed)", headers: ["Allow": allowed])
        }
    }

    private enum PathLookup {
        /// Not origin-form, or malformed percent-encoding.
        case malformed
        case unrouted
        case routed(RouteTrie.Node, parameters: [Substring])
    }

    /// Matches the raw segments when nothing in the path is percent-encoded (the usual case: no copies), else every
    /// segment decoded first.
    private func lookUp(_ request: HTTPRequest) -> PathLookup {
        // The path ends at `?`; found on UTF-8 code units rather than through `request.path`'s Character search.
        let target = request.target.utf8
        let path = Substring(target[..<(target.firstIndex(of: UInt8(ascii: "?")) ?? target.endIndex)])
        guard path.utf8.first == UInt8(ascii: "/") else { return .malformed }
        let match: (node: RouteTrie.Node, parameters: [Substring])?
        if path.utf8.contains(UInt8(ascii: "%")) {
            var decoded: [Substring] = []
            var segments = PathSegments(path)
            while let segment = segments.next() {
                guard let text = PercentDecoding.decode(segment) else { return .malformed }
                decoded.append(text[...])
            }
            match = trie.match(decoded.makeIterator())
        } else {
            match = trie.match(PathSegments(path))
        }
        guard let match else { return .unrouted }
        return .routed(match.node, parameters: match.parameters)
    }

    /// The `Allow` value: the routed methods, plus `HEAD` where `GET` is routed, sorted.
    private static func allowedMethods(_ node: RouteTrie.Node) -> String {
        var methods = Set(node.routes.keys.map(\.rawValue))
        if methods.contains("GET") { methods.insert("HEAD") }
        return methods.sorted().joined(separator: ", ")
    }
}

