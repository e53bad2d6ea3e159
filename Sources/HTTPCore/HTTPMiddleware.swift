/// Something that wraps request handling: authentication, request ids, logging, metrics.
///
/// A middleware either answers itself (e.g. `401`) or calls `next` and may adjust what it returns.
public protocol HTTPMiddleware: Sendable {
    func handle(_ request: HTTPRequest, next: any HTTPResponder) async -> HTTPResponse
}

/// A responder with a middleware in front of it.
public struct MiddlewareResponder: HTTPResponder {
    public let middleware: any HTTPMiddleware
    public let next: any HTTPResponder

    public init(_ middleware: any HTTPMiddleware, inFrontOf next: any HTTPResponder) {
        self.middleware = middleware
        self.next = next
    }

    public func respond(to request: HTTPRequest) async -> HTTPResponse {
        await middleware.handle(request, next: next)
    }

    public func answerBeforeBody(to head: HTTPRequest) -> HTTPResponse? {
        next.answerBeforeBody(to: head)
    }
}

extension HTTPResponder {
    /// This responder behind `middleware`. The last `with` runs first: `router.with(a).with(b)` runs `b`, then `a`.
    public func with(_ middleware: any HTTPMiddleware) -> any HTTPResponder {
        MiddlewareResponder(middleware, inFrontOf: self)
    }
}

/// Routes each request once, then runs the middleware in front of the matched handler: every middleware sees the
/// request with `routing` decided, so authorization, metrics and logs read the route the handler will run.
struct RoutedResponder: HTTPResponder {
    let router: Router
    let chain: any HTTPResponder

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        await chain.respond(to: router.route(request))
    }

    func answerBeforeBody(to head: HTTPRequest) -> HTTPResponse? {
        router.answerBeforeBody(to: head)
    }
}

/// The end of the chain: the matched handler (what it throws answered by `answerError`), or the router's own answer.
struct RouteDispatcher: HTTPResponder {
    let answerError: Router.ErrorAnswer

    func respond(to request: HTTPRequest) async -> HTTPResponse {
        await Router.dispatch(request, answeringErrors: answerError)
    }
}

extension Router {
    /// A responder that routes each request once and then runs `middleware`, first element outermost, in front of
    /// the matched handler. Middleware read `request.matchedRoute` (pattern and access) instead of matching again.
    /// What a handler throws is answered by `answerError`, the one place errors become responses; so the middleware
    /// in front (logs, metrics) see the error's answer like any other.
    public func responder(
        behind middleware: [any HTTPMiddleware], answeringErrors answerError: @escaping ErrorAnswer = Router.internalError
    ) -> any HTTPResponder {
        var chain: any HTTPResponder = RouteDispatcher(answerError: answerError)
        for layer in middleware.reversed() { chain = chain.with(layer) }
        return RoutedResponder(router: self, chain: chain)
    }
}
