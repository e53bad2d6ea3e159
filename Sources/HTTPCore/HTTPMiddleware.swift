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
